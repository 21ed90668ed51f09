// The single-file bundle runs on its own: built to a temp dir, started with plain `node`.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildAgentBundle } from './agent-bundle.mjs';
import { waitFor } from '../../testkit/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'gpuarb-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('agent bundle', () => {
  it('builds one file that serves with plain node', async () => {
    const bundle = await buildAgentBundle(join(dir, 'gpuarb-agent.mjs'));
    expect(bundle.sha256).toMatch(/^[0-9a-f]{64}$/);
    const config = join(dir, 'agent.json');
    writeFileSync(
      config,
      JSON.stringify({
        instanceName: 'b-0',
        pool: 'p',
        listen: { host: '127.0.0.1', port: 0 },
        engine: { type: 'sim', model: 'phi3-mini', gpu: 'none' },
        auth: { type: 'static', keys: ['bundle-key-0123456789'] },
        scheduledEvents: { enabled: false },
      }),
    );
    // cwd is the temp dir: nothing from the repo's node_modules can be picked up by accident.
    const child = spawn(process.execPath, [bundle.path, '--config', config], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c));
    child.stderr.on('data', (c: Buffer) => (out += c));
    const exited = new Promise((r) => child.once('exit', r));
    try {
      const listening = () =>
        out
          .split('\n')
          .filter((l) => l.includes('"listening"'))
          .map((l) => JSON.parse(l) as { url: string })[0]?.url;
      const url = await waitFor('listening', listening, 15_000);
      await waitFor('ready', async () => (await fetch(`${url}/health/ready`)).status === 200);
      const res = await fetch(`${url}/v1/models`, { headers: { authorization: 'Bearer bundle-key-0123456789' } });
      expect(res.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});
