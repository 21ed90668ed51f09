// The response cache: Cosmos `cache` container, with a small in-process layer in front for hot
// keys. Entries are immutable for their key until they expire, so the memory layer can never
// disagree with Cosmos on content — only on existence, and it honours the same stored expiry.
// Expiry is enforced here from `expiresAt` (the local Cosmos server never deletes items) and by
// Cosmos via the per-item `ttl` in Azure. Lookups are bounded in time: a slow cache is a miss,
// and a key the presence filter knows is not stored is a miss without a lookup.
import type { Container } from '@azure/cosmos';
import type { Logger } from './log.js';
import type { CacheDoc } from '../contracts/documents.js';
import type { CachePresence } from './cache-presence.js';

export interface CachedAnswer {
  /** The exact chat.completion JSON that was served. */
  body: Buffer;
  model: string;
  customer: string | null;
  promptTokens: number;
  completionTokens: number;
  expiresAt: number;
}

export interface ResponseCacheOptions {
  ttlSeconds: number;
  memoryEntries: number;
  lookupTimeoutMs?: number;
  now?: () => number;
}

export class ResponseCache {
  private readonly memory = new Map<string, CachedAnswer>();
  private readonly now: () => number;

  constructor(
    private readonly container: Container,
    private readonly opts: ResponseCacheOptions,
    private readonly log: Logger,
    /** Lets a miss skip the Cosmos read when the key is certainly not stored. */
    private readonly presence?: CachePresence,
  ) {
    this.now = opts.now ?? Date.now;
  }

  /** The live entry for `key`, checked against the model and customer it must belong to. */
  async get(key: string, model: string, customer: string | null): Promise<CachedAnswer | undefined> {
    const mem = this.memory.get(key);
    if (mem) {
      if (mem.expiresAt > this.now() && this.belongs(mem, model, customer)) return mem;
      this.memory.delete(key);
    }
    if (this.presence?.definitelyAbsent(key)) return undefined;
    let doc: CacheDoc | undefined;
    try {
      doc = await withTimeout(
        this.container
          .item(key, key)
          .read<CacheDoc>()
          .then((r) => r.resource),
        this.opts.lookupTimeoutMs ?? 500,
      );
    } catch (err) {
      this.log.warn('cache lookup failed; treating as a miss', { err });
      return undefined;
    }
    if (!doc || typeof doc.body !== 'string' || !(doc.expiresAt > this.now())) return undefined;
    const entry: CachedAnswer = {
      body: Buffer.from(doc.body),
      model: doc.model,
      customer: doc.customer ?? null,
      promptTokens: doc.promptTokens ?? 0,
      completionTokens: doc.completionTokens ?? 0,
      expiresAt: doc.expiresAt,
    };
    if (!this.belongs(entry, model, customer)) return undefined;
    this.remember(key, entry);
    return entry;
  }

  /** Stores in the background: the caller never waits, failures are only logged. */
  put(key: string, entry: Omit<CachedAnswer, 'expiresAt'>): Promise<void> {
    const createdAt = this.now();
    const full: CachedAnswer = { ...entry, expiresAt: createdAt + this.opts.ttlSeconds * 1000 };
    this.remember(key, full);
    this.presence?.add(key);
    const doc: CacheDoc = {
      id: key,
      model: entry.model,
      customer: entry.customer,
      body: entry.body.toString(),
      promptTokens: entry.promptTokens,
      completionTokens: entry.completionTokens,
      createdAt,
      expiresAt: full.expiresAt,
      ttl: this.opts.ttlSeconds,
    };
    return this.container.items.upsert(doc).then(
      () => undefined,
      (err) => this.log.warn('cache write failed', { err }),
    );
  }

  /** Defence in depth: the key already covers model and customer; a mismatch would be a bug. */
  private belongs(e: CachedAnswer, model: string, customer: string | null): boolean {
    return e.model === model && e.customer === customer;
  }

  private remember(key: string, entry: CachedAnswer): void {
    if (this.opts.memoryEntries <= 0) return;
    this.memory.delete(key);
    this.memory.set(key, entry);
    if (this.memory.size > this.opts.memoryEntries) {
      const oldest = this.memory.keys().next();
      if (!oldest.done) this.memory.delete(oldest.value);
    }
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`cache lookup took over ${ms} ms`)), ms);
    }),
  ]);
}
