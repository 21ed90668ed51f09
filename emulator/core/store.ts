// The emulator's state: resource groups and resources as ARM JSON documents, keyed by lower-cased
// id, plus small per-family side tables (soft-deleted vaults, keys, ...). Persisted to
// `<stateDir>/state.json` by an atomic rename, coalesced so a burst of writes costs one file
// write (the RG benchmark must stay far under 20 ms).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writePrivateFileSync } from '../../lib/private-files.js';
import { idKey } from './ids.js';

// An ARM document is arbitrary JSON that each provider's behavior validates and reads by path
// (body.properties?.hardwareProfile?.vmSize), so the type stays loose to keep those reads direct.
export type Json = Record<string, any>;

export interface StoredResource {
  /** The ARM document exactly as GET returns it. */
  doc: Json;
  /** Full type, e.g. "Microsoft.Compute/virtualMachineScaleSets" (case as first written). */
  type: string;
  subscriptionId: string;
  resourceGroup?: string;
  /** Monotonic insertion order: lists are stable across pages. */
  seq: number;
}

interface StateFile {
  version: 1;
  seq: number;
  resources: StoredResource[];
  side: Record<string, Record<string, Json>>;
}

class StateDamagedError extends Error {
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    super(
      `The emulator state file ${file} cannot be read (${(cause as Error)?.message ?? cause}). ` +
        `It was left untouched: move it away (or run \`gpuarb local reset\`) to start from empty state.`,
    );
    this.name = 'StateDamagedError';
  }
}

export class Store {
  private readonly resources = new Map<string, StoredResource>();
  /** Side tables by name, e.g. "deletedVaults" → key → document. */
  private readonly side = new Map<string, Map<string, Json>>();
  private seq = 0;
  private flushTimer: NodeJS.Immediate | undefined;
  readonly file: string | undefined;

  constructor(stateDir?: string) {
    this.file = stateDir ? join(stateDir, 'state.json') : undefined;
    if (this.file && existsSync(this.file)) this.load(this.file);
  }

  private load(file: string): void {
    let parsed: StateFile;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8')) as StateFile;
      if (parsed.version !== 1 || !Array.isArray(parsed.resources)) throw new Error('unknown format');
    } catch (err) {
      throw new StateDamagedError(file, err);
    }
    this.seq = parsed.seq;
    for (const r of parsed.resources) this.resources.set(idKey(r.doc.id), r);
    for (const [name, table] of Object.entries(parsed.side ?? {})) this.side.set(name, new Map(Object.entries(table)));
  }

  get(id: string): StoredResource | undefined {
    return this.resources.get(idKey(id));
  }

  put(doc: Json, type: string, subscriptionId: string, resourceGroup?: string): StoredResource {
    const existing = this.resources.get(idKey(doc.id));
    const rec: StoredResource = { doc, type, subscriptionId, resourceGroup, seq: existing?.seq ?? ++this.seq };
    this.resources.set(idKey(doc.id), rec);
    this.changed();
    return rec;
  }

  delete(id: string): boolean {
    const ok = this.resources.delete(idKey(id));
    if (ok) this.changed();
    return ok;
  }

  /** Every resource whose id starts with `prefix/` (children, or an RG's contents). */
  descendants(prefix: string): StoredResource[] {
    const p = `${idKey(prefix)}/`;
    return this.all().filter((r) => idKey(r.doc.id).startsWith(p));
  }

  all(): StoredResource[] {
    return [...this.resources.values()].sort((a, b) => a.seq - b.seq);
  }

  sideTable(name: string): Map<string, Json> {
    let t = this.side.get(name);
    if (!t) {
      t = new Map();
      this.side.set(name, t);
    }
    return t;
  }

  /** Call after mutating a side table or a stored document in place. */
  changed(): void {
    if (!this.file || this.flushTimer) return;
    this.flushTimer = setImmediate(() => this.flush());
  }

  flush(): void {
    if (this.flushTimer) clearImmediate(this.flushTimer);
    this.flushTimer = undefined;
    if (!this.file) return;
    const state: StateFile = {
      version: 1,
      seq: this.seq,
      resources: this.all(),
      side: Object.fromEntries([...this.side].map(([k, v]) => [k, Object.fromEntries(v)])),
    };
    // Owner-only: the state holds every secret of the local cloud (Key Vault values, keys).
    writePrivateFileSync(this.file, JSON.stringify(state));
  }
}
