// One ARM call from the local cloud's own control loops (automatic repairs), through the ARM
// endpoint with the daemon's token, as Azure's orchestrators act through the resource provider.
import { request } from 'node:https';

export interface ArmAccess {
  endpoint(): string;
  token: string;
  caCertPem: string;
}

export function armRequest(arm: ArmAccess, method: string, pathAndQuery: string, body?: unknown): Promise<void> {
  const url = new URL(pathAndQuery, arm.endpoint());
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca: arm.caCertPem,
        headers: { authorization: `Bearer ${arm.token}`, 'content-type': 'application/json' },
        timeout: 30_000,
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          (res.statusCode ?? 500) < 300 ? resolve() : reject(new Error(`${method} ${url.pathname}: HTTP ${res.statusCode}`)),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${url.pathname} timed out`)));
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
