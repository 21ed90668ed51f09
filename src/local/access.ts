// The end of `gpuarb up --local`: wait until every pool has ready replicas, make sure a demo
// customer key exists, and hand the operator an API URL with a curl and an openai example that
// work exactly as printed. The key is shown once, when it is created; it is kept (mode 0600) in
// the local cloud's state directory, which the examples read it from.
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { writePrivateFileSync } from '../../lib/private-files.js';
import { required } from '../../lib/required.js';
import type { Context } from '../core/context.js';
import { UserError } from '../core/errors.js';
import type { ProvisionStack } from '../provision/stack.js';

const LOCAL_DEMO_CUSTOMER = 'local-demo';

export interface LocalAccess {
  apiUrl: string;
  customer: string;
  /** Only when this run created the key (shown once). */
  key?: string;
  keyFile: string;
  caCertPath: string;
  readyReplicas: Record<string, number>;
  examples: { curl: string; openai: string };
}

export async function prepareLocalAccess(
  ctx: Context,
  s: ProvisionStack,
  apiUrl: string,
  opts: { timeoutMs?: number } = {},
): Promise<LocalAccess> {
  const stateDir = required(s.target.stateDir, 'the state directory of the local cloud');
  const readyReplicas = await waitForReadyPools(ctx, s, opts.timeoutMs ?? 180_000);
  const keyFile = join(stateDir, 'customer-key');
  let key: string | undefined;
  if (!existsSync(keyFile) || !(await customerExists(ctx, LOCAL_DEMO_CUSTOMER))) {
    const { createKey, revokeKey } = await import('../ops/keys.js');
    if (await customerExists(ctx, LOCAL_DEMO_CUSTOMER)) await revokeKey(ctx, LOCAL_DEMO_CUSTOMER);
    key = (await createKey(ctx, LOCAL_DEMO_CUSTOMER)).key;
    writePrivateFileSync(keyFile, `${key}\n`);
  }
  const caCertPath = join(stateDir, 'ca-cert.pem');
  const rel = (p: string) => (p.startsWith(ctx.cwd) ? relative(ctx.cwd, p) : p);
  const model = s.config.pools[0].model;
  const body = JSON.stringify({ model, messages: [{ role: 'user', content: 'Hello!' }] });
  const curl =
    `curl --cacert ${rel(caCertPath)} ${apiUrl}/chat/completions -H "Authorization: Bearer $(cat ${rel(keyFile)})" ` +
    `-H 'content-type: application/json' -d '${body}'`;
  const openai =
    `OPENAI_API_KEY=$(cat ${rel(keyFile)}) NODE_EXTRA_CA_CERTS=${rel(caCertPath)} node -e "const OpenAI = require('openai'); ` +
    `new OpenAI({ baseURL: '${apiUrl}' }).chat.completions.create({ model: '${model}', messages: [{ role: 'user', content: 'Hello!' }] })` +
    '.then((r) => console.log(r.choices[0].message.content))"';
  return { apiUrl, customer: LOCAL_DEMO_CUSTOMER, ...(key ? { key } : {}), keyFile, caCertPath, readyReplicas, examples: { curl, openai } };
}

async function customerExists(ctx: Context, customer: string): Promise<boolean> {
  const { listKeys } = await import('../ops/keys.js');
  return (await listKeys(ctx)).some((k) => k.customer === customer && k.state === 'active');
}

/** Every pool with a minimum above zero has that many healthy instances (Application Health). */
async function waitForReadyPools(ctx: Context, s: ProvisionStack, timeoutMs: number): Promise<Record<string, number>> {
  const { computeClient } = await import('../ops/azure-clients.js');
  const compute = await computeClient(s.target);
  const rg = s.names.resourceGroup;
  const deadline = ctx.clock.now() + timeoutMs;
  let last = '';
  for (;;) {
    const ready: Record<string, number> = Object.fromEntries(s.config.pools.map((p) => [p.name, 0]));
    for await (const vm of compute.virtualMachines.list(rg)) {
      const pool = vm.tags?.['gpuarb-pool'];
      if (!pool || !(pool in ready)) continue;
      const view = await compute.virtualMachines.instanceView(rg, required(vm.name, 'the name of a listed VM'));
      if (view.vmHealth?.status?.code?.toLowerCase() === 'healthstate/healthy') ready[pool] += 1;
    }
    const missing = s.config.pools.filter((p) => ready[p.name] < Math.max(1, p.capacity.min));
    if (!missing.length) return ready;
    const line = `Waiting for ready replicas: ${s.config.pools.map((p) => `${p.name} ${ready[p.name]}/${Math.max(1, p.capacity.min)}`).join(', ')}`;
    if (line !== last) ctx.io.info(line);
    last = line;
    if (ctx.clock.now() > deadline) {
      throw new UserError(`Pools not ready after ${Math.round(timeoutMs / 1000)} s: ${missing.map((p) => p.name).join(', ')}.`, {
        code: 'PoolsNotReady',
        hint: '`gpuarb status --local` shows each instance; `gpuarb logs --local --pool <pool>` shows why an agent is not ready.',
      });
    }
    await ctx.clock.sleep(500, ctx.signal);
  }
}
