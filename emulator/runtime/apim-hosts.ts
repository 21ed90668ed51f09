// One local API Management proxy per API Management service of the local cloud, reading the
// service's APIs, products, keys and policies from the ARM store on each request.
import type { Json, Store } from '../core/store.js';
import { readApimModel, type SecretReader } from './apim-model.js';
import { startApimProxy, type ApimProxy } from './apim/proxy.js';

export class ApimHosts {
  private readonly proxies = new Map<string, ApimProxy>();

  constructor(
    private readonly store: Store,
    private readonly secrets: SecretReader,
    private readonly tls: { keyPem: string; certPem: string },
    /** Where a backend URL from ARM (the function app's host) runs locally. */
    private readonly resolveBackend: (url: string) => string,
  ) {}

  /** Starts the service's proxy (once) and records its address as the gateway URL. */
  async start(doc: Json): Promise<void> {
    let proxy = this.proxies.get(doc.id.toLowerCase());
    if (!proxy) {
      const options = {
        model: () => readApimModel(this.store, doc.id, this.secrets),
        tls: { key: this.tls.keyPem, cert: this.tls.certPem },
        resolveBackend: this.resolveBackend,
      };
      // Keep the API URL stable across daemon restarts: reuse the last port when it is free.
      const previous = /^https:\/\/127\.0\.0\.1:(\d+)/.exec(doc.properties?.gatewayUrl ?? '')?.[1];
      proxy = await startApimProxy({ ...options, port: previous ? Number(previous) : 0 }).catch(() => startApimProxy(options));
      this.proxies.set(doc.id.toLowerCase(), proxy);
    }
    doc.properties.gatewayUrl = proxy.url;
    this.store.changed();
  }

  async stop(doc: Json): Promise<void> {
    await this.proxies.get(doc.id.toLowerCase())?.stop();
    this.proxies.delete(doc.id.toLowerCase());
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.proxies.values()].map((p) => p.stop()));
    this.proxies.clear();
  }
}
