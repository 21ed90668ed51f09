// `gpuarb secrets list`, `gpuarb secrets set <name>` and `gpuarb secrets rotate <name> | --all`: Key Vault secrets of the
// stack, rotated with an overlap so no request fails (docs/operations.md "Secret rotation").
import { required } from '../../lib/required.js';
import { arg, defineCommand, flags, opt } from '../core/command.js';
import { UserError } from '../core/errors.js';
import type { SetSecretResult } from '../ops/secret-set.js';
import type { RotateResult, SecretListing } from '../ops/secrets.js';
// Pure string helpers, no SDK: fine at the top of a command file.
import { formatAge, table } from '../ops/status-render.js';

export const secretsListCommand = defineCommand({
  name: 'secrets list',
  summary: "List the stack's Key Vault secrets: versions, age, rotation state (never values)",
  examples: ['gpuarb secrets list', 'gpuarb secrets list --local --json'],
  options: { local: flags.local },
  async run(ctx): Promise<{ secrets: SecretListing[] }> {
    const { listSecrets } = await import('../ops/secrets.js');
    return { secrets: await listSecrets(ctx) };
  },
  render(ctx, r) {
    ctx.io.out(
      table([
        ['NAME', 'VERSIONS', 'ENABLED', 'AGE', 'ROTATION'],
        ...r.secrets.map((s) => [
          s.name,
          String(s.versions),
          String(s.enabledVersions),
          formatAge(s.current?.ageSeconds ?? null),
          s.rotationInProgress ? `previous accepted until ${s.rotationInProgress.retireAt}` : '-',
        ]),
      ]).join('\n'),
    );
  },
});

export const secretsRotateCommand = defineCommand({
  name: 'secrets rotate',
  summary: 'Rotate a secret (or --all) with no failed request: new version, overlap, then retire the old',
  description:
    'Adds a new Key Vault version. Consumers accept the current and the previous version until the overlap ' +
    '(config secrets.overlap) ends; then the previous version expires and is disabled ' +
    '(now with --wait, otherwise by the next `gpuarb secrets` run).',
  examples: [
    'gpuarb secrets rotate internal-service-key',
    'gpuarb secrets rotate --all --wait',
    'gpuarb secrets rotate inference-api-key --overlap 30m --json',
  ],
  args: { name: arg.optional('secret name (inference-api-key, internal-service-key)') },
  options: {
    all: opt.flag('--all', 'rotate every secret gpuarb can rotate'),
    overlap: opt.text('--overlap <duration>', 'how long the previous version stays valid (default: config secrets.overlap)'),
    wait: opt.flag('--wait', 'wait out the overlap and disable the previous version before exiting'),
    force: opt.flag('--force', 'rotate even if the last rotation is still in its overlap'),
    local: flags.local,
  },
  async run(ctx, opts): Promise<{ rotated: RotateResult[] }> {
    if (Boolean(opts.name) === Boolean(opts.all)) {
      throw new UserError('Name one secret, or pass --all.', {
        code: 'UsageError',
        hint: 'e.g. gpuarb secrets rotate internal-service-key',
      });
    }
    const { parseDurationSeconds } = await import('../config/duration.js');
    const overlapSeconds = opts.overlap === undefined ? undefined : parseDurationSeconds(opts.overlap);
    if (overlapSeconds === undefined && opts.overlap !== undefined)
      throw new UserError(`--overlap "${opts.overlap}" is not a duration.`, { code: 'UsageError', hint: 'Write e.g. 90s, 15m or 1h.' });
    const { rotateSecret, ROTATABLE } = await import('../ops/secrets.js');
    const names = opts.all ? [...ROTATABLE] : [required(opts.name, 'the secret name')];
    const rotated: RotateResult[] = [];
    // One after another: a failure leaves the rest untouched, and the output says how far it got.
    for (const name of names)
      rotated.push(
        await rotateSecret(ctx, name, {
          overlapSeconds,
          wait: opts.wait,
          force: opts.force,
          onProgress: (m) => ctx.io.info(m),
        }),
      );
    return { rotated };
  },
  render(ctx, r) {
    for (const x of r.rotated) {
      const previous = x.previousVersion ? `; previous ${x.previousVersion} accepted until ${x.retireAt}` : ' (first version)';
      const retired = x.retired.length ? `; retired ${x.retired.join(', ')}` : '';
      ctx.io.out(`${x.name}: version ${x.version}${previous}${retired}`);
    }
  },
});

export const secretsSetCommand = defineCommand({
  name: 'secrets set',
  summary: "Store a secret you supply (e.g. hf-token, the model hub token) in the stack's Key Vault, from stdin or a file",
  description:
    'The value is read from stdin or --from-file, never from the command line (where every local user and the shell ' +
    'history could read it); trailing newlines are dropped. A new Key Vault version is added; nothing of the value is printed.',
  examples: ['gpuarb secrets set hf-token < hf-token.txt', 'gpuarb secrets set hf-token --from-file ~/.cache/huggingface/token --json'],
  args: { name: arg.required('secret name, e.g. hf-token') },
  options: {
    fromFile: opt.text('--from-file <file>', 'read the value from this file instead of stdin'),
    local: flags.local,
  },
  async run(ctx, opts): Promise<SetSecretResult> {
    const { checkSettableName, readSecretValue, setSecret } = await import('../ops/secret-set.js');
    checkSettableName(opts.name);
    const value = await readSecretValue(ctx, opts.fromFile);
    return setSecret(ctx, opts.name, value);
  },
  render(ctx, r) {
    const replaced = r.previousVersion ? `; replaces ${r.previousVersion}` : ' (new secret)';
    ctx.io.out(`${r.name}: version ${r.version} in ${r.vault}${replaced}`);
  },
});
