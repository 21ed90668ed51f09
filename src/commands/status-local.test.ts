// `up --local` then `status` and `logs` report what the log pipeline and the instance views really
// hold: instance health from the Application Health view, traffic counted from the gateway's
// request rows (which reach the table only through the data collection rule `up` creates), and
// no Log Analytics note.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopDaemon } from '../../emulator/daemon-control.js';
import { runGpuarb } from '../../testkit/cli.js';
import { httpsClient } from '../../testkit/https-client.js';
import { TEST_CONFIG } from '../../testkit/ops-cloud.js';
import { waitFor } from '../../testkit/wait.js';

const cwd = mkdtempSync(join(tmpdir(), 'gpuarb-statuslocal-'));
writeFileSync(join(cwd, 'gpuarb.yaml'), TEST_CONFIG);
const stateDir = join(cwd, '.gpuarb', 'local');
const env = { CI: '1', HOME: cwd, GPUARB_LOCAL_STATE_DIR: stateDir };
const cli = async (...args: string[]) => {
  const r = await runGpuarb([...args, '--local', '--json'], { cwd, env });
  return { code: r.code, body: r.stdout ? JSON.parse(r.stdout) : undefined, stderr: r.stderr };
};
let http: ReturnType<typeof httpsClient> | undefined;

beforeAll(async () => {
  const up = await cli('up');
  expect(up.code, up.stderr).toBe(0);
  http = httpsClient(readFileSync(up.body.local.caCertPath, 'utf8'));
  const chat = () =>
    http?.send(`${up.body.apiUrl}/chat/completions`, {
      headers: { authorization: `Bearer ${up.body.local.key}` },
      body: { model: 'phi3-mini', messages: [{ role: 'user', content: 'Say hello' }], max_tokens: 4, temperature: 0 },
    });
  // The same deterministic request twice: a miss, then a cache hit.
  expect([(await chat())?.status, (await chat())?.status]).toEqual([200, 200]);
}, 240_000);

afterAll(async () => {
  http?.close();
  await stopDaemon({ stateDir, timeoutMs: 20_000 });
  rmSync(cwd, { recursive: true, force: true });
}, 60_000);

describe('status and logs after up --local', () => {
  it('status shows instance health, counted traffic and no Log Analytics note', async () => {
    const status = await waitFor(
      'the gateway request rows to be counted',
      async () => {
        const r = await cli('status');
        return r.body?.traffic?.[0]?.requestsPerMinute > 0 ? r : undefined;
      },
      30_000,
      250,
    );
    expect(status.body.notes).toEqual([]);
    expect(status.body.pools[0].instances.map((i: { health: string }) => i.health)).toEqual(['Healthy']);
    const five = status.body.traffic[0];
    expect(five).toMatchObject({ minutes: 5, errorRate: 0, cacheHitRate: 0.5 });
    expect(five.requestsPerMinute).toBeCloseTo(2 / 5);
  }, 60_000);

  it('logs reads the gateway and agent rows the pipeline delivered', async () => {
    const r = await cli('logs', '--since', '10m', '--grep', 'request');
    expect(r.code, r.stderr).toBe(0);
    const components = new Set(r.body.rows.map((row: { component: string }) => row.component));
    expect([...components].sort()).toEqual(['agent', 'gateway']);
  }, 60_000);
});
