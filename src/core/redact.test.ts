import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { createContext } from './context.js';
import { AzureError } from './errors.js';
import { renderError } from './render-error.js';
import { redactObject } from './redact.js';

describe('secrets never in output', () => {
  it('redacts registered secrets from stdout, stderr and rendered errors, JSON or not', () => {
    let out = '';
    let err = '';
    const ctx = createContext({
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
      stdin: new PassThrough(),
      env: {},
      cwd: '/',
      globals: { json: false, yes: false, noPrompt: true, verbose: true },
      signal: new AbortController().signal,
    });
    const secret = 'sk-live-0123456789abcdef';
    ctx.secrets.register(secret);
    ctx.io.out(`key=${secret}`);
    ctx.io.info(`using ${secret}`);
    const e = new AzureError(`bad value ${secret}`, { armCode: 'BadRequest', cause: new Error(`inner ${secret}`) });
    renderError(ctx.io, e, { json: true, verbose: true });
    renderError(ctx.io, e, { json: false, verbose: true });
    expect(out + err).not.toContain(secret);
    expect(out).toContain('[redacted]');
  });

  it('redacts secret-named fields when showing objects', () => {
    expect(redactObject({ a: { apiKey: 'x', connectionString: 'y', name: 'n' } })).toEqual({
      a: { apiKey: '[redacted]', connectionString: '[redacted]', name: 'n' },
    });
  });
});
