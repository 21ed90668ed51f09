/**
 * What the data planes need from the emulator's core, and the one handler shape they expose.
 *
 * The core owns the HTTPS port, the clock, the seeded RNG, the resource store and auth; the data
 * planes own only their own state (secrets, log rows, scheduled events). Everything a data plane
 * reads about ARM resources comes through these functions, so the core can wire them to its
 * store without the data planes knowing its shape.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * A data plane mounted on the core's HTTPS port. The core's router calls each mounted handler in
 * turn for every request that is not an ARM path; a handler returns `true` when it answered the
 * request and `false` (without touching `res`) when the request is not its business.
 *
 * `url` must be built from the request's Host header (`new URL(req.url, 'https://' + host)`): the
 * Key Vault plane routes on the host name (`<vault>.vault.localhost`).
 */
export type DataPlaneHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

/** Clock and randomness, both from the core so a seeded run replays exactly. */
export interface ClockAndRandom {
  /** Milliseconds since the epoch on the core's clock (a fake clock in tests). */
  now(): number;
  /** A uniformly distributed number in [0, 1) from the core's seeded generator. */
  random(): number;
}

export type AccessDecision = 'allowed' | 'unauthenticated' | 'forbidden';

/** One authorisation question a data plane asks the core. */
export interface AccessRequest {
  /** The bearer token from the `Authorization` header, without the `Bearer ` prefix. */
  token: string;
  /** The audience Azure would require for this service, e.g. `https://vault.azure.net`. */
  audience: string;
  /** ARM id of the resource acted on (a vault), when there is one; lets the core apply RBAC. */
  resourceId?: string;
  /** The exact object acted on when it is below `resourceId` (a vault's secret), for assignments scoped to it. */
  scope?: string;
  /** Azure's RBAC data action, e.g. `Microsoft.KeyVault/vaults/secrets/getSecret/action`. */
  dataAction: string;
}

/**
 * Token and RBAC check. `unauthenticated` = the token is not one the emulator issued (answered
 * with 401 and, for Key Vault, a fresh challenge); `forbidden` = a valid principal without the
 * data action (403, as Azure does with an RBAC-mode vault). A core without RBAC can answer
 * `allowed` for any non-empty token.
 */
export interface Authorizer {
  authorize(request: AccessRequest): AccessDecision;
}

/** What the Key Vault data plane needs to know about a vault from the ARM store. */
export interface VaultInfo {
  /** ARM resource id of the vault (for RBAC and error messages). */
  resourceId: string;
  location: string;
  /** The vault itself is soft-deleted in ARM: its data plane answers as if it did not exist. */
  softDeleted: boolean;
  /** `properties.enablePurgeProtection`; purge of secrets is then refused (403). */
  purgeProtection: boolean;
  /** `properties.softDeleteRetentionInDays` (7–90, Azure's default 90). */
  softDeleteRetentionInDays: number;
}

export interface KeyVaultDeps extends ClockAndRandom, Authorizer {
  /** Tenant id announced in the challenge's `authorization` URL. */
  tenantId: string;
  /** The vault named `name` (case-insensitive, as vault names are), or undefined if none. */
  lookupVault(name: string): VaultInfo | undefined;
}

/** What the data plane needs to know about a data collection rule (from the ARM store). */
export interface RuleView {
  /** ARM id of the rule: the scope the writer's role assignment must cover. */
  id: string;
  /** Declared stream → its columns. */
  streams: Record<string, { name: string }[]>;
  /** Each flow: the input streams and the workspace (customerId) + table they land in. */
  flows: { streams: string[]; workspaceId: string | undefined; table: string }[];
}

export interface LogsIngestionDeps {
  random(): number;
  rule(immutableId: string): RuleView | undefined;
  /** The principal a bearer token stands for; undefined when the token is not one the cloud issued. */
  principalOf(token: string): string | undefined;
  /** Whether the principal holds a role with `Microsoft.Insights/Telemetry/Write` on the rule. */
  mayIngest(principalId: string, ruleId: string): boolean;
}

export interface LogAnalyticsDeps extends ClockAndRandom, Authorizer {
  /** Whether a workspace with this `customerId` (the GUID the query API is addressed by) exists. */
  workspaceExists(customerId: string): boolean;
  /** A custom table's ARM schema columns in the workspace with this customerId, if it was created. */
  tableSchema(customerId: string, table: string): { name: string; type: string }[] | undefined;
  /** The Logs Ingestion API's view of ARM: rules, token principals and their roles on a rule. */
  ingestion: Omit<LogsIngestionDeps, 'random'>;
}

export type RetailPricesDeps = Record<string, never>;

export interface ScheduledEventsDeps extends ClockAndRandom {
  /** Host to listen on; defaults to 127.0.0.1. */
  host?: string;
}

/** Everything at once, for a core that wires all the planes from one object. */
export type DataPlaneDeps = KeyVaultDeps & LogAnalyticsDeps & ScheduledEventsDeps;
