// `gpuarb loadtest` end to end, in-process, against a real OpenAI-shaped HTTP peer: the SLO
// gate's exit codes, the JSON and HTML reports, and bad input refused before any load.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGpuarb } from '../../testkit/cli.js';
import { startOpenAiPeer, type OpenAiPeer } from '../../testkit/openai-peer.js';

let peer: OpenAiPeer;
let cwd: string;
beforeAll(async () => {
  peer = await startOpenAiPeer({ key: 'sk-test-123', latencyMs: 5 });
  cwd = mkdtempSync(join(tmpdir(), 'gpuarb-loadtest-'));
  writeFileSync(join(cwd, 'good.key'), 'sk-test-123\n');
  writeFileSync(join(cwd, 'wrong.key'), 'wrong\n');
  writeFileSync(join(cwd, 'k.key'), 'k\n');
});
afterAll(() => peer.close());

const target = () => ['loadtest', '--url', peer.baseUrl, '--key-file', 'good.key'];

describe('gpuarb loadtest: SLO gate', () => {
  it('meets an easy SLO: exit 0, a table on stdout, progress lines on stderr', async () => {
    const r = await runGpuarb([...target(), '--rate', '40', '--duration', '1s', '--slo', 'p95<5s,errors<1%,availability>=99%'], { cwd });
    expect(r.stderr).not.toContain('warning');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^model\s+requests\s+errors/m);
    expect(r.stdout).toMatch(/^all\s+\d+/m);
    expect(r.stdout).toContain('SLO met: p95<5s');
    expect(r.stderr).toMatch(/\[1s\/1s\] sent \d+/);
    // The key never appears in any output.
    expect(r.stdout + r.stderr).not.toContain('sk-test-123');
  });

  it('misses a strict SLO: exit 16, naming each missed objective', async () => {
    const r = await runGpuarb([...target(), '--rate', '40', '--duration', '1s', '--slo', 'p95<1ms,errors<1%,rpm>1000000'], { cwd });
    expect(r.code).toBe(16);
    expect(r.stderr).toMatch(/SLO missed \(exit 16\): p95<1ms \(was [\d.]+m?s\), rpm>1000000 \(was [\d.]+\)/);
    expect(r.stderr).not.toContain('errors<1%');
    expect(r.stdout).toContain('SLO MISSED: p95<1ms');
  });
});

describe('gpuarb loadtest: reports', () => {
  it('shows the live Ink view on a terminal and still prints the table', async () => {
    const r = await runGpuarb([...target(), '--rate', '20', '--duration', '1s'], { cwd, tty: true });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/loadtest.*1s\/1s/);
    expect(r.stderr).toMatch(/p95/);
    expect(r.stdout).toMatch(/^all\s+\d+/m);
  });

  it('prints JSON with --json and writes a self-contained HTML report with --out', async () => {
    const r = await runGpuarb([...target(), '--rate', '30', '--duration', '1s', '--stream', '--json', '--out', 'report.html'], { cwd });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.overall.requests).toBeGreaterThan(0);
    expect(report.overall.ttftMs.p50).toBeGreaterThan(0);
    expect(Object.keys(report.perModel)).toContain('phi3-mini');
    expect(['llama3-70b', 'mixtral-8x7b', 'phi3-mini']).toEqual(expect.arrayContaining(Object.keys(report.perModel)));
    expect(report.reportFile).toBe(join(cwd, 'report.html'));
    const html = readFileSync(join(cwd, 'report.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html.match(/<svg /g)?.length).toBeGreaterThanOrEqual(3);
    // Opens offline: nothing is loaded from anywhere.
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/<script|<link|@import|url\(/i);
  });

  it('writes the JSON report with --out file.json', async () => {
    const r = await runGpuarb([...target(), '--concurrency', '2', '--duration', '1s', '--model', 'phi3-mini', '--out', 'r.json'], { cwd });
    expect(r.code).toBe(0);
    const report = JSON.parse(readFileSync(join(cwd, 'r.json'), 'utf8'));
    expect(report.arrival).toEqual({ kind: 'closed', concurrency: 2 });
    expect(Object.keys(report.perModel)).toEqual(['phi3-mini']);
  });
});

describe('gpuarb loadtest: Ctrl-C', () => {
  it('cancels with exit 130 without waiting out the requests stalled in flight', async () => {
    const controller = new AbortController();
    peer.stall(30_000);
    const from = peer.counts.chat;
    peer.onChat = (n) => n === from + 5 && controller.abort();
    try {
      const started = Date.now();
      const r = await runGpuarb([...target(), '--rate', '50', '--duration', '20s', '--timeout', '60s'], { cwd, signal: controller.signal });
      expect(r.code).toBe(130);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      peer.onChat = undefined;
      peer.stall(0);
    }
  });
});

describe('gpuarb loadtest: the key never on the command line', () => {
  it('refuses a key given as an argument (every local user can read argv), before any request', async () => {
    const before = { ...peer.counts };
    const r = await runGpuarb(['loadtest', '--url', peer.baseUrl, '--key', 'sk-test-123', '--rate', '5', '--duration', '1s'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--key takes no value on the command line/);
    expect(r.stderr).toMatch(/GPUARB_API_KEY/);
    expect(r.stderr).toMatch(/--key-file/);
    expect(peer.counts).toEqual(before);
    expect(r.stdout + r.stderr).not.toContain('sk-test-123');
  });

  it('reads the key from GPUARB_API_KEY, or from --key-file (a file, or /dev/stdin in a shell)', async () => {
    const fromEnv = await runGpuarb(['loadtest', '--url', peer.baseUrl, '--rate', '20', '--duration', '1s', '--json'], {
      cwd,
      env: { GPUARB_API_KEY: 'sk-test-123' },
    });
    expect(fromEnv.code).toBe(0);
    expect(JSON.parse(fromEnv.stdout).overall.failed).toBe(0);
    writeFileSync(join(cwd, 'customer.key'), 'sk-test-123\n', { mode: 0o600 });
    const fromFile = await runGpuarb(
      ['loadtest', '--url', peer.baseUrl, '--key-file', 'customer.key', '--rate', '20', '--duration', '1s'],
      {
        cwd,
      },
    );
    expect(fromFile.stderr).not.toMatch(/error:/);
    expect(fromFile.code).toBe(0);
  });
});

describe('gpuarb loadtest: bad input fails before any load', () => {
  const refused = async (args: string[], message: RegExp, extra: { preflight?: boolean } = {}) => {
    const before = { ...peer.counts };
    const r = await runGpuarb(args, { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(peer.counts.chat).toBe(before.chat);
    if (!extra.preflight) expect(peer.counts.models + peer.counts.unauthorized).toBe(before.models + before.unauthorized);
  };

  it('refuses impossible rates, durations and flag combinations without touching the network', async () => {
    await refused([...target(), '--rate', '0', '--duration', '1s'], /--rate must be more than 0/);
    await refused([...target(), '--rate', '1000000', '--duration', '1s'], /--rate 1000000 is outside/);
    await refused([...target(), '--rate', 'fast', '--duration', '1s'], /--rate "fast" is not a number/);
    await refused([...target(), '--rate', '5', '--concurrency', '2', '--duration', '1s'], /alternatives/);
    await refused([...target(), '--rate', '5', '--duration', 'soon'], /--duration "soon" is not a duration/);
    await refused([...target(), '--rate', '5', '--duration', '1s', '--slo', 'p95<5'], /Invalid --slo: "p95<5": latency needs a unit/);
    await refused([...target(), '--rate', '5', '--duration', '1s', '--mix', 'phi3-mini=70,mixtral'], /--mix entry "mixtral"/);
    await refused([...target(), '--rate', '5', '--duration', '1s', '--out', 'report.pdf'], /must end in .html or .json/);
    await refused(['loadtest', '--rate', '5', '--duration', '1s'], /give --local, or --url and --key/);
  });

  it('names malformed JSONL lines before any request', async () => {
    writeFileSync(join(cwd, 'bad.jsonl'), '{"messages":[{"role":"user","content":"ok"}]}\n{"messages":"nope"}\n\n{oops\n');
    await refused(
      [...target(), '--rate', '5', '--duration', '1s', '--workload', 'bad.jsonl'],
      /bad\.jsonl: 2 malformed line\(s\):\s+line 2: "messages" must be a non-empty array\s+line 4: not JSON/,
    );
  });

  it('refuses an unknown model, a wrong key and an unreachable URL after GET /models only', async () => {
    await refused([...target(), '--rate', '5', '--duration', '1s', '--model', 'gpt-9'], /Unknown model\(s\) at .*: gpt-9/, {
      preflight: true,
    });
    await refused(
      ['loadtest', '--url', peer.baseUrl, '--key-file', 'wrong.key', '--rate', '5', '--duration', '1s'],
      /rejected the key \(HTTP 401/,
      {
        preflight: true,
      },
    );
    await refused(
      ['loadtest', '--url', 'http://127.0.0.1:1/v1', '--key-file', 'k.key', '--rate', '5', '--duration', '1s'],
      /Cannot reach http:\/\/127\.0\.0\.1:1\/v1: ECONNREFUSED/,
    );
  });

  it('refuses chaos without a stack, before any load', async () => {
    await refused([...target(), '--rate', '5', '--duration', '2s', '--rotate-secret-at', '1s'], /No config file at/, { preflight: true });
    await refused([...target(), '--rate', '5', '--duration', '2s', '--evict-every', '1s'], /No config file at/, { preflight: true });
    await refused(
      [...target(), '--rate', '5', '--duration', '2s', '--rotate-secret-at', '5s'],
      /--rotate-secret-at must fall within --duration/,
    );
  });
});
