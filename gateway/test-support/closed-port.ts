// A loopback port nothing listens on (bound, then released): for tests of refused connections.
import { createServer, type AddressInfo } from 'node:net';

export function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
