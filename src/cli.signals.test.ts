// Ctrl-C on the real program: the first SIGINT cancels cleanly (exit 130, no stack trace), a
// second one forces the exit even when the command would keep waiting.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startOpenAiPeer, type OpenAiPeer } from '../testkit/openai-peer.js';

const bin = fileURLToPath(new URL('../bin/gpuarb.js', import.meta.url));
let peer: OpenAiPeer | undefined;
afterEach(async () => peer?.close());

/** Starts a long loadtest against a peer that stalls every answer; resolves once load flows. */
async function stalledLoadtest() {
  const stalled = await startOpenAiPeer({ key: 'test-key-0123456789abcdef' });
  peer = stalled;
  stalled.stall(60_000);
  const started = new Promise<void>((resolve) => {
    stalled.onChat = () => resolve();
  });
  const child = spawn(
    process.execPath,
    [bin, 'loadtest', '--url', peer.baseUrl, '--rate', '5', '--duration', '60s', '--model', 'phi3-mini'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '1', GPUARB_API_KEY: 'test-key-0123456789abcdef' } },
  );
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await started;
  return { child, exited, stderr: () => stderr };
}

const within = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`not within ${ms} ms`)), ms))]);

describe('Ctrl-C', () => {
  it('the first cancels cleanly with exit 130', async () => {
    const run = await stalledLoadtest();
    run.child.kill('SIGINT');
    expect(await within(run.exited, 10_000)).toBe(130);
    expect(run.stderr()).toContain('Cancelling');
    expect(run.stderr()).not.toMatch(/\n\s+at /);
  }, 30_000);

  it('a second during the cancel exits 130 at once, without waiting for the first to finish', async () => {
    const run = await stalledLoadtest();
    run.child.kill('SIGINT');
    run.child.kill('SIGINT');
    expect(await within(run.exited, 10_000)).toBe(130);
  }, 30_000);
});
