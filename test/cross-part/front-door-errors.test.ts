// The front door's own refusals in OpenAI's error shape: the generated policies (global on-error,
// API, product; src/templates/apim-policy.ts) enforced by the local API Management in front of a
// real gateway and agent, called with the official openai client. A missing or wrong key is 401
// invalid_api_key, an unknown route 404, the rate limit 429 with Retry-After, the quota 403, and
// what the gateway refuses (413, 400) passes through in the same shape.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRONT_DOOR_ERRORS } from '../../contracts/front-door-errors.js';
import { loadOrCreateTls } from '../../emulator/core/certs.js';
import { importedOperations } from '../../emulator/runtime/apim-model.js';
import type { ApimModel } from '../../emulator/runtime/apim/model.js';
import { parsePolicy } from '../../emulator/runtime/apim/policy.js';
import { startApimProxy, type ApimProxy } from '../../emulator/runtime/apim/proxy.js';
import { apiPolicyXml, globalPolicyXml, productPolicyXml } from '../../src/templates/apim-policy.js';
import { BACKEND_SECRET, INTERNAL_KEY, startHarness, type Harness } from '../../testkit/gateway.js';
import { startScriptedAgent, type ScriptedAgent } from '../../testkit/scripted-agent.js';

const tls = loadOrCreateTls(mkdtempSync(join(tmpdir(), 'front-door-')));
const dispatcher = new Agent({ connect: { ca: tls.caCertPem } });
const MAX_BODY = 4096;
let h: Harness;
let agent: ScriptedAgent;
let proxy: ApimProxy;

const sub = (sid: string, product: string, key: string) => ({
  sid,
  displayName: sid,
  scope: `/subscriptions/x/resourceGroups/rg/providers/Microsoft.ApiManagement/service/a/products/${product}`,
  // The API's key header is Authorization: the stored key is what stock clients send there.
  primaryKey: `Bearer ${key}`,
  secondaryKey: `Bearer ${key}-2`,
  state: 'active' as const,
});

beforeAll(async () => {
  h = await startHarness({ config: { limits: { maxBodyBytes: MAX_BODY } } as never });
  agent = await startScriptedAgent('phi', INTERNAL_KEY);
  await h.register({ id: 'phi-1', model: 'phi3-mini', address: agent.url });
  const openapi = readFileSync(join(import.meta.dirname, '..', '..', 'src', 'templates', 'openapi.json'), 'utf8');
  const model: ApimModel = {
    apis: [
      {
        name: 'gpuarb',
        path: 'v1',
        subscriptionRequired: true,
        keyHeader: 'Authorization',
        keyQuery: 'subscription-key',
        policyXml: apiPolicyXml(),
        operations: importedOperations({ properties: { format: 'openapi+json', value: openapi } }),
      },
    ],
    products: [
      {
        name: 'roomy',
        state: 'published',
        apis: ['gpuarb'],
        policyXml: productPolicyXml({ rateLimit: { calls: 100, period: 60 }, quota: { calls: 1000, period: 3600 } }),
      },
      {
        name: 'narrow',
        state: 'published',
        apis: ['gpuarb'],
        policyXml: productPolicyXml({ rateLimit: { calls: 1, period: 60 }, quota: { calls: 1000, period: 3600 } }),
      },
      {
        name: 'tiny',
        state: 'published',
        apis: ['gpuarb'],
        policyXml: productPolicyXml({ rateLimit: { calls: 100, period: 60 }, quota: { calls: 1, period: 3600 } }),
      },
    ],
    subscriptions: [sub('cust-roomy', 'roomy', 'sk-roomy'), sub('cust-narrow', 'narrow', 'sk-narrow'), sub('cust-tiny', 'tiny', 'sk-tiny')],
    namedValues: { 'backend-key': BACKEND_SECRET },
    backends: { gateway: { url: `${h.url}/v1` } },
    globalPolicyXml: globalPolicyXml(),
  };
  proxy = await startApimProxy({ model: () => model, tls: { key: tls.keyPem, cert: tls.certPem } });
});
afterAll(async () => {
  await proxy?.stop();
  await h?.stop();
  await agent?.stop();
  await h?.cosmos.stop();
  await dispatcher.close();
});

const client = (apiKey: string, baseURL = `${proxy.url}/v1`) =>
  new OpenAI({ baseURL, apiKey, maxRetries: 0, fetch: undiciFetch as never, fetchOptions: { dispatcher } as never });
const chat = { model: 'phi3-mini', messages: [{ role: 'user' as const, content: 'hi' }] };
const caught = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as InstanceType<typeof OpenAI.APIError>,
  );

/** The body the policy answers with: OpenAI's shape, exactly. */
const bodyOf = (reason: string) => JSON.parse(FRONT_DOOR_ERRORS.find((e) => e.reasons.includes(reason))?.body ?? '{}');

describe('front door errors in OpenAI shape', () => {
  it('the generated global policy is in the subset the local API Management enforces', () => {
    expect(parsePolicy(globalPolicyXml()).onError.length).toBeGreaterThan(0);
  });

  it('a missing key: 401 invalid_api_key (AuthenticationError)', async () => {
    const res = await undiciFetch(`${proxy.url}/v1/models`, { dispatcher });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual(bodyOf('SubscriptionKeyNotFound'));
  });

  it('a wrong key: 401 invalid_api_key (AuthenticationError)', async () => {
    const err = await caught(client('sk-wrong').chat.completions.create(chat));
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(err).toMatchObject({ status: 401, code: 'invalid_api_key', type: 'invalid_request_error', param: null });
  });

  it('an unknown route inside the API and outside any API: 404 unknown_url (NotFoundError)', async () => {
    const inside = await caught(client('sk-roomy').embeddings.create({ model: 'phi3-mini', input: 'x' }));
    expect(inside).toBeInstanceOf(OpenAI.NotFoundError);
    expect(inside).toMatchObject({ status: 404, code: 'unknown_url' });
    const outside = await caught(client('sk-roomy', `${proxy.url}/v2`).chat.completions.create(chat));
    expect(outside).toMatchObject({ status: 404, code: 'unknown_url' });
  });

  it('over the rate limit: 429 rate_limit_exceeded with Retry-After (RateLimitError)', async () => {
    const narrow = client('sk-narrow');
    expect((await narrow.chat.completions.create(chat)).object).toBe('chat.completion');
    const err = await caught(narrow.chat.completions.create(chat));
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err).toMatchObject({ status: 429, code: 'rate_limit_exceeded', type: 'rate_limit_error' });
    const retryAfter = Number(err?.headers?.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });

  it('over the quota: 403 insufficient_quota (PermissionDeniedError)', async () => {
    const tiny = client('sk-tiny');
    await tiny.chat.completions.create(chat);
    const err = await caught(tiny.chat.completions.create(chat));
    expect(err).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(err).toMatchObject({ status: 403, code: 'insufficient_quota', type: 'insufficient_quota' });
  });

  it('what the gateway refuses passes through in the same shape: 413 and a validation 400', async () => {
    const big = await caught(
      client('sk-roomy').chat.completions.create({ ...chat, messages: [{ role: 'user', content: 'x'.repeat(MAX_BODY) }] }),
    );
    expect(big).toMatchObject({ status: 413, code: 'body_too_large', type: 'invalid_request_error' });
    const bad = await caught(client('sk-roomy').chat.completions.create({ ...chat, temperature: 9 }));
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
    expect(bad).toMatchObject({ status: 400, param: 'temperature', code: 'decimal_above_max_value' });
  });
});
