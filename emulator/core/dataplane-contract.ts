// The contract between the ARM core (this directory) and the data planes in
// `emulator/dataplanes/` (Key Vault secrets, Log Analytics query, Retail Prices, IMDS).
//
// NOTE to the data-plane engineer: this is the minimal interface the ARM core needs. If you
// define `emulator/dataplanes/deps.ts`, the core adapts to it; until then:
//  - each data plane is a factory `(deps) => DataPlaneHandler`; the router calls the handlers
//    in order for every request that is not ARM (`/subscriptions/...`, `/providers/...`) or
//    control (`/_emulator/...`), and the first that returns true has answered;
//  - eviction calls `scheduledEvents.publish(vmName, event)` on the sink you give the core
//    (`Emulator.setScheduledEventsSink(sink)` or `startEmulator({ dataPlanes, scheduledEvents })`);
//    when a VM acknowledges an event (POST StartRequests), call `deps.evictions.expedite(eventId)`
//    so the eviction proceeds before NotBefore, as Azure does.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Store } from './store.js';

export type DataPlaneHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

/** A Scheduled Events document entry, as IMDS api-version 2020-07-01 returns it. */
export interface ScheduledEvent {
  EventId: string;
  EventType: 'Preempt' | 'Terminate' | 'Reboot' | 'Redeploy' | 'Freeze';
  ResourceType: 'VirtualMachine';
  Resources: string[];
  EventStatus: 'Scheduled' | 'Started';
  /** RFC 1123 date, e.g. "Mon, 19 Sep 2016 18:29:47 GMT". */
  NotBefore: string;
  Description: string;
  EventSource: 'Platform' | 'User';
  DurationInSeconds: number;
}

export interface ScheduledEventsSink {
  /** vmName is the VM resource name (IMDS `compute.name`). */
  publish(vmName: string, event: ScheduledEvent): void;
  /** Called when the event has happened (the VM is gone or stopped), to drop it. */
  complete?(vmName: string, eventId: string): void;
}

export interface DataPlaneDeps {
  store: Store;
  subscriptionId: string;
  /** The bearer token the emulator accepts (Key Vault / Log Analytics tokens are the same). */
  token: string;
  stateDir: string;
  /** `https://127.0.0.1:PORT`, known once the server listens. */
  endpoint(): string;
  /** Lets IMDS hurry an acknowledged eviction. */
  evictions: { expedite(eventId: string): void };
}

export type DataPlaneFactory = (deps: DataPlaneDeps) => DataPlaneHandler | Promise<DataPlaneHandler>;
