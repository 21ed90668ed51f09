import { describe, expect, it } from 'vitest';
import { LOG_STREAM } from '../../contracts/log-schema.js';
import { type IngestOutcome, LogIngester, logLineToRow, type Route } from './log-ingest.js';

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
      Status: null,
      Cache: null,
    });
  });

  it("promotes a gateway request line's status and cache to their columns", () => {
    const row = logLineToRow('{"level":"info","msg":"request","status":503,"cache":"miss"}', { component: 'gateway' });
    expect(row).toMatchObject({ Message: 'request', Status: 503, Cache: 'miss', Properties: { status: 503, cache: 'miss' } });
  });

  it('keeps a line that is not JSON as its message', () => {
    const row = logLineToRow('Segmentation fault', { component: 'gateway' });
    expect(row).toMatchObject({ Level: 'info', Message: 'Segmentation fault', Component: 'gateway', Pool: null, Properties: null });
  });

  it("posts each writer's batch to the gpuarb stream as its identity, and reports a refusal once", () => {
    const posted: { principal: string; rule: string; stream: string; n: number }[] = [];
    const warnings: string[] = [];
    let route: Route = { principalId: undefined, ruleImmutableId: undefined };
    let answer: IngestOutcome = { status: 204 };
    const ing = new LogIngester(
      {
        upload: (principal, rule, stream, rows) => {
          posted.push({ principal, rule, stream, n: (rows as unknown[]).length });
          return answer;
        },
      },
      () => route,
      (m) => warnings.push(m),
    );
    ing.add('gateway', { a: 1 });
    ing.flush();
    expect(posted).toEqual([]);
    expect(warnings).toEqual([expect.stringMatching(/gateway not ingested .*NoPipeline/)]);
    route = { principalId: 'p-1', ruleImmutableId: 'dcr-1' };
    ing.add('agent:vm1', { a: 1 });
    ing.add('agent:vm1', { a: 2 });
    ing.flush();
    expect(posted).toEqual([{ principal: 'p-1', rule: 'dcr-1', stream: LOG_STREAM, n: 2 }]);
    answer = { status: 403, error: { code: 'OperationFailed', message: 'no role' } };
    ing.add('agent:vm1', { a: 3 });
    ing.flush();
    ing.add('agent:vm2', { a: 4 });
    ing.flush();
    expect(warnings.filter((w) => w.includes('OperationFailed'))).toHaveLength(1);
  });

  it('still posts the last lines of a writer deleted before the flush (a VM evicted right after its notice)', () => {
    const posted: string[] = [];
    let route: Route = { principalId: 'p-vm', ruleImmutableId: 'dcr-1' };
    const ing = new LogIngester(
      {
        upload: (principal, _rule, _stream, rows) => {
          posted.push(`${principal}:${(rows as unknown[]).length}`);
          return { status: 204 };
        },
      },
      () => route,
    );
    ing.add('agent:vm1', { msg: 'eviction notice' });
    route = { principalId: undefined, ruleImmutableId: 'dcr-1' }; // the VM is gone from ARM
    ing.flush();
    expect(posted).toEqual(['p-vm:1']);
  });
});
