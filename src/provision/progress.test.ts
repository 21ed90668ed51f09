import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { inkSink } from './progress-ink.js';
import { plainSink, jsonSink } from './progress.js';
import type { ProgressEvent } from './apply.js';

/** A terminal-like stream: what Ink needs (write, columns, rows, resize events). */
class FakeTty extends EventEmitter {
  isTTY = true;
  columns = 120;
  rows = 40;
  frames: string[] = [];
  write(chunk: string) {
    this.frames.push(chunk);
    return true;
  }
}

const ev = (label: string, state: ProgressEvent['state'], extra: Partial<ProgressEvent> = {}): ProgressEvent => ({
  resourceId: `/x/${label}`,
  label,
  action: 'create',
  state,
  elapsedMs: 1200,
  ...extra,
});

describe('progress renderers', () => {
  it('Ink draws one live line per resource with its state', async () => {
    const tty = new FakeTty();
    const sink = inkSink(tty as unknown as NodeJS.WriteStream);
    sink.event(ev('vnet', 'running'));
    sink.event(ev('vmss/phi3', 'failed', { error: { code: 'QuotaExceeded', message: 'no', hint: 'raise the quota' } }));
    sink.event(ev('vnet', 'done'));
    await sink.close();
    const last = tty.frames.join('');
    expect(last).toContain('vnet');
    expect(last).toMatch(/✓ create vnet\s+done/);
    expect(last).toMatch(/✗ create vmss\/phi3\s+failed.*QuotaExceeded — raise the quota/);
  });

  it('plain lines and JSON events for pipes and CI', () => {
    const lines: string[] = [];
    const plain = plainSink((l) => lines.push(l));
    plain.event(ev('vnet', 'pending'));
    plain.event(ev('vnet', 'failed', { error: { code: 'E', message: 'm', hint: 'h' } }));
    jsonSink((l) => lines.push(l)).event(ev('vnet', 'done'));
    expect(lines[0]).toBe('[   1.2s] failed  create vnet  E: m (hint: h)');
    expect(JSON.parse(lines[1])).toEqual(ev('vnet', 'done'));
  });
});
