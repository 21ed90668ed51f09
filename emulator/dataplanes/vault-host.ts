// The local cloud's Key Vault URL form: `https://<vault>.vault.localhost:<port>/`.
//
// Why host-based and not `https://127.0.0.1:<port>/keyvault/<vault>/`: the real SecretClient
// parses every secret id it receives with parseKeyVaultIdentifier, which insists on the path
// being exactly `/secrets/<name>[/<version>]` and takes the vault URL to be `protocol//host`.
// A path prefix makes every get/set throw "Bad number of segments". So the vault has to be in
// the host name, as it is in Azure (`<vault>.vault.azure.net`).
//
// Why `.localhost`: it is reserved for loopback (RFC 6761) so a misconfigured client can never
// reach a real host with an emulator token. But Node's resolver (getaddrinfo) does not resolve
// `*.localhost` on every system, so clients resolve it themselves with `loopbackLookup` through
// an https.Agent (`createLoopbackAgent`), passed as the SDK's `agent` option. The server
// certificate must carry the SAN `*.vault.localhost`.
//
// The challenge announces `resource="https://vault.localhost"`: the SDK checks that the request
// host ends with `.<resource host>`, which `<vault>.vault.localhost` does, so the check stays on
// and `disableChallengeResourceVerification` is not needed (Azure: `https://vault.azure.net`).
import dns from 'node:dns';
import https from 'node:https';
import type { LookupFunction } from 'node:net';

const VAULT_DNS_SUFFIX = 'vault.localhost';
export const VAULT_CHALLENGE_RESOURCE = `https://${VAULT_DNS_SUFFIX}`;
/** SAN the emulator's server certificate needs for the vault host names. */
export const VAULT_CERT_SAN = `*.${VAULT_DNS_SUFFIX}`;

/** Azure's vault name rule: 3–24 of letters, digits and hyphens, starting with a letter. */
const VAULT_NAME = /^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/;

/** The vault a request is addressed to, from its Host header, or undefined if not a vault host. */
export function vaultNameFromHost(host: string | undefined): string | undefined {
  if (!host) return undefined;
  const hostname = host.replace(/:\d+$/, '').toLowerCase();
  const suffix = `.${VAULT_DNS_SUFFIX}`;
  if (!hostname.endsWith(suffix)) return undefined;
  const name = hostname.slice(0, -suffix.length);
  return VAULT_NAME.test(name) ? name : undefined;
}

/** `properties.vaultUri` for a vault on the emulator listening on `port` (trailing slash as Azure). */
export function vaultUri(vaultName: string, port: number): string {
  return `https://${vaultName.toLowerCase()}.${VAULT_DNS_SUFFIX}:${port}/`;
}

/** Resolves `localhost` and every `*.localhost` name to 127.0.0.1; anything else through DNS. */
const loopbackLookup: LookupFunction = (hostname, options, callback) => {
  const name = hostname.toLowerCase();
  if (name === 'localhost' || name.endsWith('.localhost')) {
    // Node 20 asks with `all: true` when autoSelectFamily is on; answer in the shape asked for.
    if (options.all) {
      (callback as unknown as (err: null, addresses: dns.LookupAddress[]) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
    } else {
      callback(null, '127.0.0.1', 4);
    }
    return;
  }
  dns.lookup(hostname, options, callback);
};

/** An https.Agent that trusts `ca` and reaches `*.vault.localhost` on loopback; pass as `agent`. */
export function createLoopbackAgent(ca: string | Buffer): https.Agent {
  return new https.Agent({ ca, lookup: loopbackLookup, keepAlive: true });
}
