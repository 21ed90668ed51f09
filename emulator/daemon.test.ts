import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResourceManagementClient } from '@azure/arm-resources';
import { daemonStatus, resetState, startDaemon, stopDaemon } from './daemon-control.js';
import { startEmulator } from './index.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'gpuarb-daemon-test-'));
  dirs.push(d);
  return d;
};
afterEach(async () => {
  for (const d of dirs.splice(0)) {
    await stopDaemon({ stateDir: d }).catch(() => undefined);
    rmSync(d, { recursive: true, force: true });
  }
});

function clientFor(info: { caCertPath: string; subscriptionId: string; endpoint: string }, token: string) {
  const ca = readFileSync(info.caCertPath, 'utf8');
  return new ResourceManagementClient(
    { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3600_000 }) },
    info.subscriptionId,
    { endpoint: info.endpoint, tlsOptions: { ca } },
  );
}

describe('daemon', () => {
  it('keeps state across a restart and refuses a second daemon on the same state dir', async () => {
    const stateDir = tmp();
    const info = await startDaemon({ stateDir });
    expect(info).toMatchObject({
      stateDir,
      subscriptionId: expect.any(String),
      endpoint: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/),
    });
    expect(daemonStatus({ stateDir })?.pid).toBe(info.pid);
    await expect(startDaemon({ stateDir })).rejects.toThrow(/already runs on state dir/);
    const token = readFileSync(join(stateDir, 'token'), 'utf8');
    await clientFor(info, token).resourceGroups.createOrUpdate('kept', { location: 'eastus' });
    expect((await stopDaemon({ stateDir })).stopped).toBe(true);
    expect(daemonStatus({ stateDir })).toBeUndefined();
    const again = await startDaemon({ stateDir });
    expect((await clientFor(again, token).resourceGroups.get('kept')).name).toBe('kept');
    await stopDaemon({ stateDir });
    expect(resetState({ stateDir }).removed).toBe(true);
  });

  it('refuses damaged state and a taken port with clear errors', async () => {
    const stateDir = tmp();
    writeFileSync(join(stateDir, 'state.json'), '{not json');
    await expect(startDaemon({ stateDir })).rejects.toThrow(/state\.json cannot be read.*left untouched/);
    expect(readFileSync(join(stateDir, 'state.json'), 'utf8')).toBe('{not json');
    const busy = await startEmulator();
    try {
      await expect(startDaemon({ stateDir: tmp(), port: busy.port })).rejects.toThrow(/Port \d+ is already in use/);
    } finally {
      await busy.stop();
    }
  });
});
