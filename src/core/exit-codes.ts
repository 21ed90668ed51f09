// Documented exit codes (docs/design.md conventions §4). `gpuarb help exit-codes` prints this table,
// and the README repeats it; a test keeps the two in step.

export const ExitCode = {
  ok: 0,
  error: 1,
  changesPending: 2,
  notAuthenticated: 4,
  degraded: 8,
  sloMissed: 16,
  cancelled: 130,
} as const;

export const EXIT_CODE_TABLE: ReadonlyArray<{ code: number; name: string; meaning: string }> = [
  { code: 0, name: 'ok', meaning: 'success' },
  { code: 1, name: 'error', meaning: 'an error: bad input, an Azure error, a failed process or a bug (the message says which)' },
  { code: 2, name: 'changes-pending', meaning: '`plan --detailed-exitcode` found changes to apply (as Terraform does)' },
  { code: 4, name: 'not-authenticated', meaning: 'no Azure credential was found or it was rejected' },
  { code: 8, name: 'degraded', meaning: '`status`: a pool is below its minimum or the gateway is not ready' },
  { code: 16, name: 'slo-missed', meaning: '`loadtest --slo`: at least one objective was missed (the report names which)' },
  { code: 130, name: 'cancelled', meaning: 'cancelled with Ctrl-C; a rerun converges' },
];
