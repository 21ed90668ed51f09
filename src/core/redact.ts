// Secrets never appear in output, logs, --json or errors. Every value that is a secret is
// registered here once it is known; all text written by the CLI passes through `redact`.

export class SecretRedactor {
  private readonly secrets = new Set<string>();

  register(value: string | undefined | null): void {
    // Very short values would redact ordinary words; real secrets are long.
    if (value && value.length >= 8) this.secrets.add(value);
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join('[redacted]');
    return out;
  }
}

/** Field names whose values are redacted when an object is shown (config show, --json). */
const SECRET_KEY = /(secret|password|key|token|connectionstring|sas)$/i;

export function redactObject<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => redactObject(v)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = typeof v === 'string' && SECRET_KEY.test(k) ? '[redacted]' : redactObject(v);
    }
    return out as T;
  }
  return value;
}
