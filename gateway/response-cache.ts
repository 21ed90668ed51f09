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
  /** Bytes the memory layer may hold (bodies, keys and per-entry overhead); answers vary in size by orders of magnitude, so a count alone bounds nothing. */
  memoryBytes?: number;
  lookupTimeoutMs?: number;
  now?: () => number;
}

/** What one memory entry costs beyond its body and key: the entry object and its map slot, rounded up. */
const ENTRY_OVERHEAD_BYTES = 256;

/** The memory layer's byte bound when none is configured. */
export const DEFAULT_MEMORY_BYTES = 64 * 1024 * 1024;

export class ResponseCache {
  private readonly memory = new Map<string, CachedAnswer>();
  private memoryHeld = 0;
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
      this.forget(key);
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

  /** Entries and bytes the memory layer holds now. */
  memoryUse(): { entries: number; bytes: number } {
    return { entries: this.memory.size, bytes: this.memoryHeld };
  }

  private remember(key: string, entry: CachedAnswer): void {
    const maxBytes = this.opts.memoryBytes ?? DEFAULT_MEMORY_BYTES;
    const size = entryBytes(key, entry);
    this.forget(key);
    if (this.opts.memoryEntries <= 0 || size > maxBytes) return;
    this.memory.set(key, entry);
    this.memoryHeld += size;
    // Oldest first: a Map iterates in insertion order, and a hit re-inserts nothing, so this is FIFO.
    for (const oldest of this.memory.keys()) {
      if (this.memory.size <= this.opts.memoryEntries && this.memoryHeld <= maxBytes) break;
      this.forget(oldest);
    }
  }

  private forget(key: string): void {
    const old = this.memory.get(key);
    if (!old) return;
    this.memory.delete(key);
    this.memoryHeld -= entryBytes(key, old);
  }
}

function entryBytes(key: string, e: CachedAnswer): number {
  return e.body.length + key.length + e.model.length + (e.customer?.length ?? 0) + ENTRY_OVERHEAD_BYTES;
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
