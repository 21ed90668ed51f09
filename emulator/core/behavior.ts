// THE extension point: every resource type gets its Azure-specific validation, computed
// properties, provisioning work, actions and delete rules from one ResourceBehavior registered
// by `emulator/providers/<family>.ts`. Types without a behavior still work generically (PUT/GET/
// PATCH/DELETE/list), which is how ARM itself treats a resource provider's plain resources.
//
// Lifecycle hooks are the seam for resources that run processes (emulator/runtime/): e.g.
// `behaviors.addHook('Microsoft.Compute/virtualMachines', { provisioned, deleted, evicting })` lets a
// VM become a fleet-agent process without touching the compute family's validation code.
import type { ArmError } from './errors.js';
import type { ResourcePath } from './ids.js';
import type { Json, Store, StoredResource } from './store.js';
import type { Rng } from './random.js';

/** How Azure answers a write of this type: see docs/emulator.md "Long-running operations". */
export type LroStyle =
  | 'sync' // 200/201 (PUT) or 200/204 (DELETE) with the final state
  | 'async-op' // 201/200 + Azure-AsyncOperation (DELETE: 202 + Azure-AsyncOperation + Location)
  | 'location'; // 202 + Location; the Location URL answers 202 until done, then the result

/** The emulator services a behavior may use (the core implements it in emulator-core.ts). */
export interface Core {
  readonly store: Store;
  readonly rng: Rng;
  readonly subscriptionId: string;
  readonly behaviors: BehaviorRegistry;
  endpoint(): string;
  /** Writes a resource the way the RP does internally (e.g. a scale set's VMs); no LRO. */
  putInternal(doc: Json, type: string): StoredResource;
  /** Deletes a resource with its children, running delete hooks. */
  deleteInternal(id: string): Promise<void>;
  /** Services of other families, registered by them by name (e.g. "compute"). */
  service<T>(name: string): T;
  registerService(name: string, impl: unknown): void;
  /** Run at emulator stop (clear timers). */
  onStop(fn: () => void): void;
  /** Provisioning latency (ms) for a type under the current profile and overrides. */
  latencyMs(type: string, op: 'put' | 'del'): number;
}

export interface OpContext {
  core: Core;
  /** The resource id as written in the request (case preserved). */
  id: string;
  path: ResourcePath;
  method: string;
  apiVersion: string;
  /** Sub-state of the request, e.g. query string. */
  query: URLSearchParams;
}

export interface ActionResult {
  status?: number;
  body?: unknown;
  /** Make it an LRO (202 + Location + Azure-AsyncOperation); `work` runs as the operation. */
  lro?: boolean;
  work?: () => Promise<unknown>;
}

export type ActionHandler = (ctx: OpContext, resource: Json, body: Json) => ActionResult | Promise<ActionResult>;

export interface ResourceBehavior {
  /** Full type, e.g. "Microsoft.DocumentDB/databaseAccounts/sqlDatabases". */
  type: string;
  lro?: { put?: LroStyle; delete?: LroStyle };
  /** Status of a create when Azure does not answer 201 (Cosmos accounts: 200). */
  createdStatus?: number;
  /** PATCH exists for this type in Azure (merge-patch of tags/properties). */
  patch?: boolean;
  /** Omit properties.provisioningState (config-like children such as sites/config). */
  noProvisioningState?: boolean;
  /** Throw an ArmError to reject the write. `existing` is the stored document on update. */
  validate?(ctx: OpContext, body: Json, existing: Json | undefined): void | Promise<void>;
  /** Fill server-computed properties into the document about to be stored. */
  prepare?(ctx: OpContext, doc: Json, existing: Json | undefined): void | Promise<void>;
  /** The provisioning work (runs as the LRO); throw an ArmError to fail the operation. */
  provision?(ctx: OpContext, doc: Json, existing: Json | undefined): Promise<void>;
  /** Throw to refuse a delete; runs before anything is removed. */
  beforeDelete?(ctx: OpContext, doc: Json): void | Promise<void>;
  /** Side effects of a delete (soft delete records, deleting instances...). */
  onDelete?(ctx: OpContext, doc: Json): Promise<void>;
  actions?: Record<string, ActionHandler>;
  /** Shape the GET/list output (e.g. hide secrets the RP never returns, honour $expand). */
  present?(doc: Json, query?: URLSearchParams): Json;
}

export interface LifecycleHook {
  /** After the resource is provisioned (create or update); awaited before the LRO succeeds. */
  provisioned?(doc: Json, core: Core): Promise<void>;
  /** After the resource is removed. */
  deleted?(doc: Json, core: Core): Promise<void>;
  /** A VM was told it will be evicted (notice published); eviction follows after the notice. */
  evicting?(doc: Json, noticeSeconds: number, core: Core): Promise<void>;
}

export type HookName = keyof LifecycleHook;

export class BehaviorRegistry {
  private readonly byType = new Map<string, ResourceBehavior>();
  private readonly hooks = new Map<string, LifecycleHook[]>();

  register(b: ResourceBehavior): void {
    this.byType.set(b.type.toLowerCase(), b);
  }
  get(type: string): ResourceBehavior | undefined {
    return this.byType.get(type.toLowerCase());
  }
  addHook(type: string, hook: LifecycleHook): () => void {
    const list = this.hooks.get(type.toLowerCase()) ?? [];
    list.push(hook);
    this.hooks.set(type.toLowerCase(), list);
    return () => list.splice(list.indexOf(hook) >>> 0, 1);
  }
  async run(name: HookName, type: string, doc: Json, core: Core, noticeSeconds = 0): Promise<void> {
    for (const h of this.hooks.get(type.toLowerCase()) ?? []) {
      if (name === 'evicting') await h.evicting?.(doc, noticeSeconds, core);
      else await h[name]?.(doc, core);
    }
  }
}

export type { ArmError };
