// Loads gpuarb.yaml: finds it (--config, GPUARB_CONFIG, ./gpuarb.yaml), applies environment
// overrides, validates strictly, and reports EVERY problem at once with file:line:column, the
// path, and the nearest valid key for a typo.
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { LineCounter, parseDocument, isNode } from 'yaml';
import type { z } from 'zod';
import { UserError } from '../core/errors.js';
import { crossFieldProblems } from './checks.js';
import { defaultConfigYaml, LOCAL_DEFAULT_INPUTS } from './default-config.js';
import { checkNames, deriveNames, type StackNames } from './names.js';
import { configSchema, type GpuarbConfig } from './schema.js';
import { nearest } from './suggest.js';

export interface ConfigIssue {
  path: string;
  message: string;
  line?: number;
  column?: number;
  suggestion?: string;
}

export interface LoadedConfig {
  file: string;
  config: GpuarbConfig;
  /** Names derived from the stack; the subscription part of the hash uses a placeholder until known. */
  names: StackNames;
}

/** The subscription id used for name hashes when none is configured (local cloud and plans). */
const LOCAL_SUBSCRIPTION_ID = '00000000-0000-0000-0000-000000000000';

export class ConfigError extends UserError {
  constructor(
    readonly file: string,
    readonly issues: ConfigIssue[],
  ) {
    const lines = issues.map(
      (i) =>
        `  ${file}${i.line ? `:${i.line}:${i.column}` : ''}  ${i.path || '(root)'}: ${i.message}${i.suggestion ? ` (did you mean "${i.suggestion}"?)` : ''}`,
    );
    super(`${issues.length} problem${issues.length === 1 ? '' : 's'} in ${file}:\n${lines.join('\n')}`, {
      code: 'InvalidConfig',
      hint: 'Fix the lines above and run `gpuarb config validate`; `gpuarb init` writes a commented example.',
    });
  }
  override details() {
    return { file: this.file, issues: this.issues };
  }
}

function findConfigFile(cwd: string, env: Record<string, string | undefined>, explicit?: string): string {
  const candidate = explicit ?? env.GPUARB_CONFIG ?? 'gpuarb.yaml';
  const file = resolve(cwd, candidate);
  if (!existsSync(file)) {
    throw new UserError(`No config file at ${file}.`, {
      code: 'ConfigNotFound',
      hint:
        explicit || env.GPUARB_CONFIG
          ? 'Check the path given with --config or GPUARB_CONFIG.'
          : 'Run `gpuarb init` to write one, or pass --config <file>.',
    });
  }
  return file;
}

/** Environment overrides, applied to the raw document before validation. */
function applyEnvOverrides(raw: Record<string, unknown>, env: Record<string, string | undefined>): Record<string, unknown> {
  const out = { ...raw };
  if (env.AZURE_SUBSCRIPTION_ID) out.subscription = env.AZURE_SUBSCRIPTION_ID;
  if (env.GPUARB_STACK) out.stack = env.GPUARB_STACK;
  if (env.GPUARB_LOCATION) out.location = env.GPUARB_LOCATION;
  return out;
}

export function loadConfig(opts: {
  cwd: string;
  env: Record<string, string | undefined>;
  path?: string;
  localDefault?: boolean;
}): LoadedConfig {
  const explicit = opts.path ?? opts.env.GPUARB_CONFIG;
  // The local quick start needs no file: the embedded default platform (stack gpuarb-local).
  if (opts.localDefault && !explicit && !existsSync(resolve(opts.cwd, 'gpuarb.yaml'))) {
    return parseConfigText(defaultConfigYaml(LOCAL_DEFAULT_INPUTS), '(built-in default for --local)', opts.env);
  }
  const file = findConfigFile(opts.cwd, opts.env, opts.path);
  return parseConfigText(readFileSync(file, 'utf8'), file, opts.env);
}

export function parseConfigText(text: string, file: string, env: Record<string, string | undefined> = {}): LoadedConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => lineCounter.linePos(offset);
  if (doc.errors.length) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({
        path: '',
        message: e.message.split('\n')[0],
        ...(e.pos ? { line: at(e.pos[0]).line, column: at(e.pos[0]).col } : {}),
      })),
    );
  }
  const raw = doc.toJS() ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new ConfigError(file, [{ path: '', message: 'the file must be a YAML mapping (key: value lines)' }]);

  const locate = (path: (string | number)[]) => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) return at(node.range[0]);
    }
    return undefined;
  };
  const keyLocation = (path: (string | number)[], key: string) => {
    const parent = doc.getIn(path, true) as { items?: { key?: { value?: unknown; range?: [number, number, number] } }[] } | undefined;
    const item = parent?.items?.find((i) => i.key?.value === key);
    return item?.key?.range ? at(item.key.range[0]) : locate(path);
  };

  const parsed = configSchema.safeParse(applyEnvOverrides(raw as Record<string, unknown>, env));
  const issues: ConfigIssue[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        const known = knownKeysAt(configSchema, issue.path as (string | number)[]);
        for (const key of issue.keys) {
          const pos = keyLocation(issue.path as (string | number)[], key);
          issues.push({
            path: formatPath([...(issue.path as (string | number)[]), key]),
            message: 'unknown key',
            suggestion: nearest(key, known),
            ...(pos ? { line: pos.line, column: pos.col } : {}),
          });
        }
      } else {
        const pos = locate(issue.path as (string | number)[]);
        issues.push({
          path: formatPath(issue.path as (string | number)[]),
          message: issue.message,
          ...(pos ? { line: pos.line, column: pos.col } : {}),
        });
      }
    }
    throw new ConfigError(file, issues);
  }
  const config = parsed.data;
  for (const p of crossFieldProblems(config)) {
    const pos = locate(p.path);
    issues.push({ path: formatPath(p.path), message: p.message, ...(pos ? { line: pos.line, column: pos.col } : {}) });
  }
  const names = deriveNames(
    config.stack,
    config.subscription ?? LOCAL_SUBSCRIPTION_ID,
    config.pools.map((p) => p.name),
  );
  const stackAt = locate(['stack']);
  for (const problem of checkNames(names))
    issues.push({ path: 'stack', message: problem, ...(stackAt ? { line: stackAt.line, column: stackAt.col } : {}) });
  if (issues.length) throw new ConfigError(file, issues);
  return { file, config, names };
}

function formatPath(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** The keys a strict object at `path` accepts, found by walking the schema (for suggestions). */
function knownKeysAt(schema: z.ZodType, path: (string | number)[]): string[] {
  let s: unknown = schema;
  const def = (x: unknown) => (x as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
  const unwrap = (x: unknown): unknown => {
    for (;;) {
      const d = def(x);
      if (['default', 'prefault', 'optional', 'nullable'].includes(d.type)) x = d.innerType;
      else if (d.type === 'pipe') x = d.in;
      else return x;
    }
  };
  for (const seg of path) {
    s = unwrap(s);
    const d = def(s);
    if (d.type === 'object') s = (d.shape as Record<string, unknown>)[String(seg)];
    else if (d.type === 'array') s = d.element;
    else if (d.type === 'record') s = d.valueType;
    if (!s) return [];
  }
  const d = def(unwrap(s));
  return d.type === 'object' ? Object.keys(d.shape as object) : [];
}
