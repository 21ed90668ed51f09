import { describe, expect, it } from 'vitest';
import { LOG_TABLE } from '../../contracts/log-schema.js';
import { LogIngester, logLineToRow } from './log-ingest.js';

describe('log lines → Log Analytics rows', () => {
  it('maps a JSON line to the gpuarb logs columns, keeping other fields as Properties', () => {
    const row = logLineToRow('{"ts":"2026-11-26T10:00:00.000Z","level":"warn","msg":"draining","requestId":"r1"}', {
      component: 'agent',
      pool: 'phi3',
      instance: 'vm_1',
    });
    expect(row).toEqual({
      TimeGenerated: '2026-11-26T10:00:00.000Z',
      Level: 'warn',
      Message: 'draining',
      Component: 'agent',
      Pool: 'phi3',
      Instance: 'vm_1',
      Properties: { requestId: 'r1' },
    });
  });

  it('keeps a line that is not JSON as its message', () => {
    const row = logLineToRow('Segmentation fault', { component: 'gateway' });
    expect(row).toMatchObject({ Level: 'info', Message: 'Segmentation fault', Component: 'gateway', Pool: null, Properties: null });
  });

  it('batches rows into the workspace table, and holds none back when no workspace exists', () => {
    const ingested: { ws: string; table: string; n: number }[] = [];
    let ws: string | undefined;
    const ing = new LogIngester({ ingest: (w, table, rows) => ingested.push({ ws: w, table, n: rows.length }) }, () => ws);
    ing.add({ a: 1 });
    ing.flush();
    expect(ingested).toEqual([]);
    ws = 'w-1';
    ing.add({ a: 1 });
    ing.add({ a: 2 });
    ing.flush();
    expect(ingested).toEqual([{ ws: 'w-1', table: LOG_TABLE, n: 2 }]);
  });
});
