// The processes bench/gateway.mjs measures, one role per process so the load generator does not
// share an event loop with what it measures: `cosmos` (the Cosmos emulator), `agent` (a real
// fleet agent on the zero-latency simulator), `proxy` (the floor: a minimal Node reverse
// proxy) and `relay` (a byte relay: the cost of the extra process alone). Each prints one JSON
// line once it listens. The gateway runs as shipped (bin/).
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';

const [role, ...args] = process.argv.slice(2);
const print = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);

if (role === 'cosmos') {
  const { startTestCosmos } = await import('../testkit/cosmos.js');
  const c = await startTestCosmos();
  writeFileSync(args[0], c.ca);
  print({ endpoint: c.endpoint, key: c.key, database: c.database });
} else if (role === 'agent') {
  const [endpoint, key, caFile, internalKey] = args;
  const { parseAgentConfig } = await import('../fleet-agent/config.js');
  const { Agent } = await import('../fleet-agent/agent.js');
  const { createLogger } = await import('../fleet-agent/log.js');
  const config = parseAgentConfig({
    instanceName: 'bench-vm-0',
    pool: 'phi3-mini',
    listen: { host: '127.0.0.1', port: 0 },
    engine: { type: 'sim', model: 'phi3-mini', gpu: 'none' },
    auth: { type: 'static', keys: [internalKey] },
    scheduledEvents: { enabled: false },
    log: { level: 'error', accessLog: false },
    registry: { endpoint, key, caFile, heartbeatMs: 1000 },
  });
  const agent = await Agent.start(config, { log: createLogger('error') });
  print({ url: agent.baseUrl() });
} else if (role === 'proxy') {
  // The floor: forwards method, path, headers and body to the upstream and pipes the answer back.
  const target = new URL(args[0]);
  const upstream = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const server = http.createServer((req, res) => {
    const p = http.request(
      { hostname: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers, agent: upstream },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    p.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(p);
  });
  server.listen(0, '127.0.0.1', () => print({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
} else if (role === 'relay') {
  // Below the floor: a byte relay, one upstream connection per client connection, no HTTP at
  // all. What it adds is the price of one more process on the path on this machine.
  const target = new URL(args[0]);
  const server = net.createServer({ noDelay: true }, (down) => {
    const up = net.connect({ host: target.hostname, port: Number(target.port), noDelay: true });
    down.pipe(up).on('error', () => down.destroy());
    up.pipe(down).on('error', () => up.destroy());
    down.on('error', () => up.destroy());
    up.on('error', () => down.destroy());
  });
  server.listen(0, '127.0.0.1', () => print({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
} else {
  process.stderr.write('usage: gateway-peers.ts cosmos|agent|proxy|relay …\n');
  process.exit(2);
}
