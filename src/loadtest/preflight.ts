// Fails fast before any load: the endpoint answers, the key is accepted, and every model the
// workload will ask for is listed by GET /v1/models. Nothing here sends a chat completion.
import { UserError } from '../core/errors.js';
import type { Sender } from './http-client.js';

export async function preflight(sender: Sender, baseUrl: string, models: string[]): Promise<string[]> {
  let answer: { status: number; body: unknown };
  try {
    answer = await sender.getJson('models');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`Cannot reach ${baseUrl}: ${code ?? (e as Error).message}.`, {
      code: 'EndpointUnreachable',
      hint: 'Check --url (the OpenAI base URL ending in /v1) and that the stack is up (`gpuarb status`).',
      cause: e,
    });
  }
  if (answer.status === 401 || answer.status === 403) {
    throw new UserError(`${baseUrl} rejected the key (HTTP ${answer.status} on GET /models).`, {
      code: 'KeyRejected',
      hint: 'Pass a customer key of this stack in GPUARB_API_KEY or with --key-file (API Management subscription key, or the inference key locally).',
    });
  }
  if (answer.status === 429) {
    throw new UserError(`${baseUrl} is rate-limiting this key already (HTTP 429 on GET /models).`, {
      code: 'RateLimited',
      hint:
        'API Management limits calls per key by tier: wait for the window to pass, and load-test with a key ' +
        'whose tier allows more than --rate (`gpuarb keys create <customer> --tier …`).',
    });
  }
  const data = (answer.body as { data?: unknown })?.data;
  if (answer.status !== 200 || !Array.isArray(data)) {
    throw new UserError(`${baseUrl}/models answered HTTP ${answer.status} without a model list.`, {
      code: 'EndpointNotOpenAI',
      hint: 'Is --url the OpenAI base URL of the stack, ending in /v1?',
    });
  }
  const available = data.flatMap((m) => (typeof (m as { id?: unknown }).id === 'string' ? [(m as { id: string }).id] : []));
  const unknown = models.filter((m) => !available.includes(m));
  if (unknown.length) {
    throw new UserError(`Unknown model(s) at ${baseUrl}: ${unknown.join(', ')}.`, {
      code: 'UnknownModel',
      hint: `The stack serves: ${available.join(', ') || '(no models)'}. Use --model or --mix with these names.`,
    });
  }
  return available;
}
