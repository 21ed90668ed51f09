// The emulator's shared services (implements the `Core` seen by type behaviors): state,
// randomness, faults, operations, behavior registry, and the internal create/delete used by
// resource groups' cascade and by families that create resources (a scale set's VMs).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BehaviorRegistry, type Core, type OpContext } from './behavior.js';
import { Faults } from './faults.js';
import { idKey, parseProviderPath, fullType } from './ids.js';
import { Operations, type Operation } from './operations.js';
import type { Profile } from './profiles.js';
import { Rng } from './random.js';
import type { Json, Store, StoredResource } from './store.js';

export type SubscriptionRoute = (
  core: EmulatorCore,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  match: RegExpExecArray,
) => Promise<void>;

export class EmulatorCore implements Core {
  readonly behaviors = new BehaviorRegistry();
  readonly rng: Rng;
  readonly faults: Faults;
  readonly operations: Operations;
  /** Items per list page before a nextLink (ARM RPs use 100 to 1000). */
  pageSize = 100;
  private base = 'https://127.0.0.1';
  private readonly services = new Map<string, unknown>();
  /** Routes that are not resource CRUD (deletedVaults, checkNameAvailability, usages...). */
  readonly routes: { method: string; pattern: RegExp; handler: SubscriptionRoute }[] = [];

  constructor(
    readonly store: Store,
    readonly subscriptionId: string,
    opts: { seed: number; profile: Profile; latencyScale: number },
  ) {
    this.rng = new Rng(opts.seed);
    this.faults = new Faults(this.rng, opts.profile, opts.latencyScale);
    this.operations = new Operations(this.rng);
  }

  setEndpoint(base: string): void {
    this.base = base;
  }
  endpoint(): string {
    return this.base;
  }

  service<T>(name: string): T {
    const s = this.services.get(name);
    if (!s) throw new Error(`emulator service '${name}' is not registered`);
    return s as T;
  }
  registerService(name: string, impl: unknown): void {
    this.services.set(name, impl);
  }

  route(method: string, pattern: RegExp, handler: SubscriptionRoute): void {
    this.routes.push({ method, pattern, handler });
  }

  rgId(sub: string, rg: string): string {
    return `/subscriptions/${sub}/resourceGroups/${rg}`;
  }
  getResourceGroup(sub: string, rg: string): Json | undefined {
    return this.store.get(this.rgId(sub, rg))?.doc;
  }

  /** An OpContext for internal work on a stored id (cascading deletes, VM creation). */
  contextFor(id: string, method: string): OpContext | undefined {
    const path = parseProviderPath(id, 'GET');
    if (!path) return undefined;
    return { core: this, id, path, method, apiVersion: 'internal', query: new URLSearchParams() };
  }

  putInternal(doc: Json, type: string): StoredResource {
    const path = parseProviderPath(doc.id, 'GET');
    return this.store.put(doc, type, this.subscriptionId, path?.resourceGroup);
  }

  /** Removes `id` and everything under it (children first), running onDelete and hooks. */
  async deleteInternal(id: string, _ctx?: OpContext): Promise<void> {
    const victims = [...this.store.descendants(id).reverse()];
    const self = this.store.get(id);
    if (self) victims.push(self);
    for (const v of victims) {
      if (!this.store.get(v.doc.id)) continue; // already removed by an earlier onDelete
      const ctx = this.contextFor(v.doc.id, 'DELETE');
      const b = this.behaviors.get(v.type);
      if (ctx) await b?.onDelete?.(ctx, v.doc);
      this.store.delete(v.doc.id);
      await this.behaviors.run('deleted', v.type, v.doc, this);
    }
  }

  lroHeaders(op: Operation, ctx: OpContext, kinds: ('async' | 'location')[]): Record<string, string> {
    const h: Record<string, string> = { ...this.operations.retryAfter(op) };
    const v = ctx.apiVersion;
    if (kinds.includes('async')) h['azure-asyncoperation'] = this.operations.statusUrl(this.base, this.subscriptionId, op, v);
    if (kinds.includes('location')) h.location = this.operations.resultUrl(this.base, this.subscriptionId, op, v);
    return h;
  }

  /** Resources of a type (case-insensitive) under a scope id prefix, in creation order. */
  listByType(type: string, scopePrefix: string): StoredResource[] {
    const t = type.toLowerCase();
    const p = `${idKey(scopePrefix)}/`;
    return this.store.all().filter((r) => r.type.toLowerCase() === t && idKey(r.doc.id).startsWith(p));
  }

  typeOfPath(pathname: string, method: string): string | undefined {
    if (/^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+$/i.test(pathname)) return 'Microsoft.Resources/resourceGroups';
    const p = parseProviderPath(pathname, method);
    return p ? fullType(p) : undefined;
  }

  private readonly stoppers: (() => void)[] = [];
  onStop(fn: () => void): void {
    this.stoppers.push(fn);
  }
  latencyMs(type: string, op: 'put' | 'del'): number {
    return this.faults.latencyMs(type, op);
  }

  stop(): void {
    this.operations.stop();
    for (const fn of this.stoppers) fn();
  }
}
