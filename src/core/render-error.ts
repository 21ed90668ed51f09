// The one top-level error renderer: for humans on stderr (hint always, causes and stacks with
// --verbose), or as {"error":{code,message,hint,…}} on stdout under --json.
import { BugError, GpuarbError } from './errors.js';
import type { IO } from './io.js';
import { style } from './io.js';

export function normalizeError(e: unknown): GpuarbError {
  if (e instanceof GpuarbError) return e;
  return new BugError(e instanceof Error ? e.message : String(e), e);
}

export function renderError(io: IO, e: GpuarbError, opts: { json: boolean; verbose: boolean }): void {
  if (opts.json) {
    const details = Object.fromEntries(Object.entries(e.details()).filter(([, v]) => v !== undefined));
    io.out(JSON.stringify({ error: { code: e.code, message: e.message, hint: e.hint ?? null, ...details } }));
  } else {
    const s = style(io);
    io.info(`${s.red('error')}: ${e.message}`);
    const d = e.details();
    const facts = ['status', 'requestId', 'resourceId'].filter((k) => d[k] !== undefined).map((k) => `${k} ${d[k]}`);
    if (e.code && e.code !== 'UserError') facts.unshift(`code ${e.code}`);
    if (facts.length) io.info(s.dim(`  ${facts.join(' · ')}`));
    if (e.hint) io.info(`${s.cyan('hint')}: ${e.hint}`);
  }
  if (opts.verbose) {
    let cause: unknown = e;
    while (cause instanceof Error) {
      io.info(cause.stack ?? String(cause));
      cause = cause.cause;
      if (cause) io.info('caused by:');
    }
    if (cause !== undefined && !(cause instanceof Error)) io.info(String(cause));
  }
}
