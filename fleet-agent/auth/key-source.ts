// Where the internal service key comes from. Rotation in Key Vault creates a new secret version;
// consumers accept the current AND the previous version during the overlap, so a source always
// yields up to two keys. Three sources: static (config), a watched file (local cloud, or a file
// an external rotator writes), and Key Vault polled through the VM's managed identity.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { TokenCredential } from '@azure/identity';
import type { SecretClientOptions } from '@azure/keyvault-secrets';
import type { Logger } from '../log.js';
import { acceptedVersions, type VersionInfo } from '../../contracts/secret-versions.js';

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

/** How the Key Vault source connects: the VM's managed identity unless a test gives another. */
export interface KeyVaultConnection {
  credential?: TokenCredential;
  clientOptions?: SecretClientOptions;
}

/**
 * Polls Key Vault for the versions consumers accept (contracts/secret-versions.ts: the two newest
 * enabled, unexpired ones; managed identity auth). Each value keeps its expiry, checked on every
 * call, so a rotated-out key stops working at its expiry, not at the next poll.
 */
export class KeyVaultKeySource implements KeySource {
  private accepted: { value: string; expiresOn: number | null }[] = [];
  private values: string[] = [];
  /** The earliest expiry among `accepted`: until then `values` needs no recomputing. */
  private nextExpiry = Number.POSITIVE_INFINITY;
  private timer?: NodeJS.Timeout;
  constructor(
    private readonly opts: { vaultUrl: string; secretName: string; clientId?: string; pollMs: number },
    private readonly log: Logger,
    private readonly connection: KeyVaultConnection = {},
    private readonly now: () => number = Date.now,
  ) {}
  keys(): readonly string[] {
    if (this.now() >= this.nextExpiry) this.setAccepted(this.accepted);
    return this.values;
  }
  private setAccepted(accepted: { value: string; expiresOn: number | null }[]): void {
    const now = this.now();
    this.accepted = accepted.filter((a) => a.expiresOn === null || a.expiresOn > now);
    this.values = this.accepted.map((a) => a.value);
    this.nextExpiry = Math.min(Number.POSITIVE_INFINITY, ...this.accepted.map((a) => a.expiresOn ?? Number.POSITIVE_INFINITY));
  }
  async start(): Promise<void> {
    // Loaded lazily: the Azure SDKs cost hundreds of ms to import and only Azure VMs need them.
    const [{ SecretClient }, { ManagedIdentityCredential }] = await Promise.all([
      import('@azure/keyvault-secrets'),
      import('@azure/identity'),
    ]);
    const credential =
      this.connection.credential ??
      (this.opts.clientId ? new ManagedIdentityCredential({ clientId: this.opts.clientId }) : new ManagedIdentityCredential());
    const client = new SecretClient(this.opts.vaultUrl, credential, this.connection.clientOptions);
    const refresh = async () => {
      const versions: VersionInfo[] = [];
      for await (const p of client.listPropertiesOfSecretVersions(this.opts.secretName))
        versions.push({
          version: p.version ?? '',
          enabled: p.enabled !== false,
          createdOn: p.createdOn?.getTime() ?? null,
          expiresOn: p.expiresOn?.getTime() ?? null,
          tags: p.tags ?? {},
        });
      const next = [];
      for (const v of acceptedVersions(versions, this.now())) {
        const value = (await client.getSecret(this.opts.secretName, { version: v.version })).value;
        if (value) next.push({ value, expiresOn: v.expiresOn });
      }
      if (next.length === 0) throw new Error(`secret ${this.opts.secretName} has no enabled, unexpired version`);
      if (next.map((n) => n.value).join('\n') !== this.values.join('\n') && this.values.length > 0)
        this.log.info('internal service keys reloaded', { source: 'keyvault', count: next.length });
      this.setAccepted(next);
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
