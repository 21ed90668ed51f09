// The local cloud (cloud.ts) for the ops commands' tests: its data planes mounted here, not by
// default, so tests can ingest log rows; a gpuarb.yaml parsed from text; the stack's resource
// group; and a Context whose target() is that emulator: the ONLY difference from `--local`
// is that the target is injected instead of coming from the daemon.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Emulator } from '../emulator/index.js';
import { createHttpsDataPlanes, type HttpsDataPlanes } from '../emulator/dataplanes/index.js';
import { lookupVault } from '../emulator/providers/keyvault.js';
import { logPipelineView } from '../emulator/providers/monitoring-logs.js';
import type { DataAuth } from '../emulator/core/data-auth.js';
import type { AzureTarget } from '../src/azure/target.js';
import { parseConfigText, type LoadedConfig } from '../src/config/load.js';
import type { Clock } from '../lib/clock.js';
import { required } from '../lib/required.js';
import { createContext, type Context } from '../src/core/context.js';
import { startLocalCloud } from './cloud.js';
import { OutputCapture } from './output-capture.js';
import { BUILT_IN_ROLE, grantRole } from './rbac.js';

export const TEST_CONFIG = `
stack: opstest
location: eastus
secrets:
  overlap: 60s
pools:
  - name: phi
    model: phi3-mini
    engine: sim
    sku: Standard_NC4as_T4_v3
    capacity: { min: 1, max: 4 }
    prices: { inputPerMillion: 0.2, outputPerMillion: 0.6 }
`;

export interface OpsTestCloud {
  emu: Emulator;
  target: AzureTarget;
  loaded: LoadedConfig;
  rgName: string;
  /** A fresh context on this cloud, with captured stdout/stderr. */
  context(opts?: { clock?: Clock; signal?: AbortSignal; json?: boolean }): { ctx: Context; stdout: OutputCapture; stderr: OutputCapture };
  /** PUT an ARM resource (generic: the body is stored as sent). */
  put(id: string, body: unknown, apiVersion?: string): Promise<unknown>;
  /** Creates the stack's Key Vault through ARM (the emulator computes its vaultUri). */
  createVault(): Promise<string>;
  /** The data planes, e.g. `planes.logAnalytics.ingest(...)`. */
  planes: HttpsDataPlanes;
  stop(): Promise<void>;
}

/**
 * `platform: true` also makes resources real (agents, key files; emulator/runtime/) on the
 * standard data planes, so `planes` is then absent.
 */
export async function startOpsCloud(configText = TEST_CONFIG, opts: { platform?: boolean } = {}): Promise<OpsTestCloud> {
  let planes: HttpsDataPlanes | undefined;
  // The data planes are built while the cloud starts and ask its core only once it serves.
  let core: Emulator['core'] | undefined;
  const emulatorCore = () => required(core, 'the emulator core');
  const cloud = await startLocalCloud(
    opts.platform
      ? { platform: true }
      : {
          standardDataPlanes: false,
          dataPlanes: [
            (deps) => {
              planes = createHttpsDataPlanes({
                now: Date.now,
                random: Math.random,
                tenantId: '72f988bf-0000-4000-a000-00000000cafe',
                authorize: (r) => (r.token === deps.token ? 'allowed' : 'unauthenticated'),
                lookupVault: (name) => lookupVault(emulatorCore(), name),
                tableSchema: (id, table) => logPipelineView(emulatorCore().store).tableSchema(id, table),
                ingestion: {
                  rule: (id) => logPipelineView(emulatorCore().store).rule(id),
                  mayIngest: (principal, rule) => logPipelineView(emulatorCore().store).mayIngest(principal, rule),
                  principalOf: (t) => emulatorCore().service<DataAuth>('dataAuth').principal(t)?.oid,
                },
                workspaceExists: (id) =>
                  emulatorCore()
                    .store.all()
                    .some(
                      (r) => r.type.toLowerCase() === 'microsoft.operationalinsights/workspaces' && r.doc.properties?.customerId === id,
                    ),
              });
              const handlers = planes.handlers;
              return async (req, res, url) => {
                for (const h of handlers) if (await h(req, res, url)) return true;
                return false;
              };
            },
          ],
        },
  );
  const { emulator: emu, target } = cloud;
  core = emu.core;
  const dir = mkdtempSync(join(tmpdir(), 'gpuarb-ops-'));
  writeFileSync(join(dir, 'gpuarb.yaml'), configText);
  const loaded = parseConfigText(configText, join(dir, 'gpuarb.yaml'), {});
  const rgName = loaded.names.resourceGroup;
  const put = async (id: string, body: unknown, apiVersion = '2024-07-01') => {
    const token = required(await emu.credential.getToken('x'), 'an emulator token').token;
    const res = await fetchInsecure(`${emu.endpoint}${id}?api-version=${apiVersion}`, 'PUT', token, body, emu.caCertPem);
    if (res.status >= 300) throw new Error(`PUT ${id}: ${res.status} ${res.text}`);
    return JSON.parse(res.text || '{}');
  };
  await put(`/subscriptions/${emu.subscriptionId}/resourcegroups/${rgName}`, { location: 'eastus' });
  return {
    emu,
    target,
    loaded,
    rgName,
    put,
    context(opts = {}) {
      const stdout = new OutputCapture();
      const stderr = new OutputCapture();
      const base = createContext({
        stdout,
        stderr,
        stdin: Object.assign(new PassThrough(), { isTTY: false }),
        env: {},
        cwd: dir,
        globals: { json: Boolean(opts.json), yes: true, noPrompt: true, verbose: false },
        signal: opts.signal ?? new AbortController().signal,
        clock: opts.clock,
      });
      const ctx: Context = { ...base, config: async () => loaded, target: async () => target };
      return { ctx, stdout, stderr };
    },
    async createVault() {
      const name = loaded.names.keyVault;
      await put(
        `/subscriptions/${emu.subscriptionId}/resourceGroups/${rgName}/providers/Microsoft.KeyVault/vaults/${name}`,
        {
          location: 'eastus',
          properties: {
            tenantId: '72f988bf-0000-4000-a000-00000000cafe',
            sku: { family: 'A', name: 'standard' },
            enableRbacAuthorization: true,
          },
        },
        '2024-11-01',
      );
      // An RBAC vault: the operator gets the data role `up` grants it (a Contributor has none).
      const vaultId = `/subscriptions/${emu.subscriptionId}/resourceGroups/${rgName}/providers/Microsoft.KeyVault/vaults/${name}`;
      await grantRole(emu, vaultId, BUILT_IN_ROLE.keyVaultSecretsOfficer);
      return name;
    },
    // Read on use: with `platform: true` there are none, and only a test that asks may fail.
    get planes() {
      return required(planes, 'the HTTPS data planes (absent with platform: true)');
    },
    stop: async () => {
      await emu.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One HTTPS request trusting the emulator's CA (test setup only). */
async function fetchInsecure(
  url: string,
  method: string,
  token: string,
  body: unknown,
  ca: string,
): Promise<{ status: number; text: string }> {
  const https = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { method, ca, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
