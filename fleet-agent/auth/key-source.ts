// Where the internal service key comes from. Rotation in Key Vault creates a new secret version;
// consumers accept the current AND the previous version during the overlap, so a source always
// yields up to two keys. Three sources: static (config), a watched file (local cloud, or a file
// an external rotator writes), and Key Vault polled through the VM's managed identity.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Logger } from '../log.js';

export interface KeySource {
  /** Keys accepted now: current first, then previous. */
  keys(): readonly string[];
  start(): Promise<void>;
  stop(): void;
}

export class StaticKeySource implements KeySource {
  constructor(private readonly values: string[]) {}
  keys(): readonly string[] {
    return this.values;
  }
  async start(): Promise<void> {}
  stop(): void {}
}

/** Parses `{"current":"…","previous":"…"}` or plain lines (current first). */
function parseKeyFile(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    const obj = JSON.parse(trimmed) as { current?: unknown; previous?: unknown };
    return [obj.current, obj.previous].filter((k): k is string => typeof k === 'string' && k.length > 0);
  }
  return trimmed
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(0, 2);
}

/**
 * Re-reads the file when its directory reports a change (so atomic rename-into-place works, which
 * a watch on the file itself would miss) and on a slow poll as a safety net. A broken or empty
 * file keeps the last good keys: rotation must never lock every caller out.
 */
export class FileKeySource implements KeySource {
  private values: string[] = [];
  private watcher?: FSWatcher;
  private timer?: NodeJS.Timeout;
  constructor(
    private readonly path: string,
    private readonly log: Logger,
    private readonly pollMs = 5_000,
  ) {}
  keys(): readonly string[] {
    return this.values;
  }
  async start(): Promise<void> {
    await this.reload(true);
    this.watcher = watch(dirname(this.path), (_event, name) => {
      if (!name || name === basename(this.path)) void this.reload(false);
    });
    this.watcher.on('error', (e) => this.log.warn('key file watch failed; polling only', { err: e }));
    this.timer = setInterval(() => void this.reload(false), this.pollMs);
    this.timer.unref();
  }
  stop(): void {
    this.watcher?.close();
    clearInterval(this.timer);
  }
  private async reload(first: boolean): Promise<void> {
    try {
      const next = parseKeyFile(await readFile(this.path, 'utf8'));
      if (next.length === 0) throw new Error('no key in file');
      if (next.join('\n') !== this.values.join('\n')) {
        if (!first) this.log.info('internal service keys reloaded', { source: 'file', count: next.length });
        this.values = next;
      }
    } catch (e) {
      if (first) throw new Error(`auth.keyFile ${this.path}: ${(e as Error).message}`);
      this.log.warn('key file unreadable; keeping the previous keys', { err: e });
    }
  }
}

/** Polls Key Vault for the two newest enabled versions of the secret (managed identity auth). */
export class KeyVaultKeySource implements KeySource {
  private values: string[] = [];
  private timer?: NodeJS.Timeout;
  constructor(
    private readonly opts: { vaultUrl: string; secretName: string; clientId?: string; pollMs: number },
    private readonly log: Logger,
  ) {}
  keys(): readonly string[] {
    return this.values;
  }
  async start(): Promise<void> {
    // Loaded lazily: the Azure SDKs cost hundreds of ms to import and only Azure VMs need them.
    const [{ SecretClient }, { ManagedIdentityCredential }] = await Promise.all([
      import('@azure/keyvault-secrets'),
      import('@azure/identity'),
    ]);
    const credential = this.opts.clientId
      ? new ManagedIdentityCredential({ clientId: this.opts.clientId })
      : new ManagedIdentityCredential();
    const client = new SecretClient(this.opts.vaultUrl, credential);
    const refresh = async () => {
      const versions = [];
      for await (const p of client.listPropertiesOfSecretVersions(this.opts.secretName)) if (p.enabled !== false) versions.push(p);
      versions.sort((a, b) => (b.createdOn?.getTime() ?? 0) - (a.createdOn?.getTime() ?? 0));
      const values = [];
      for (const v of versions.slice(0, 2)) values.push((await client.getSecret(this.opts.secretName, { version: v.version })).value ?? '');
      const next = values.filter(Boolean);
      if (next.length === 0) throw new Error(`secret ${this.opts.secretName} has no enabled version`);
      if (next.join('\n') !== this.values.join('\n') && this.values.length > 0)
        this.log.info('internal service keys reloaded', { source: 'keyvault', count: next.length });
      this.values = next;
    };
    await refresh();
    this.timer = setInterval(
      () => refresh().catch((e) => this.log.warn('key vault poll failed; keeping the previous keys', { err: e })),
      this.opts.pollMs,
    );
    this.timer.unref();
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Checks `Authorization: Bearer <key>` against the source's keys in constant time per key. */
export function isAuthorized(header: string | undefined, source: KeySource): boolean {
  if (!header?.startsWith('Bearer ')) return false;
  const presented = digest(header.slice(7).trim());
  let ok = false;
  for (const key of source.keys()) if (timingSafeEqual(presented, digest(key))) ok = true;
  return ok;
}
