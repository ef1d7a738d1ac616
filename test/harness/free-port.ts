import { createServer } from 'node:net';

/**
 * A TCP port that was free a moment ago on 127.0.0.1: the kernel picks it (listen on 0) and we
 * release it at once. Another process may take it before our child binds it; the window is
 * small and tests run in band, so a start that fails to bind is reported, not retried.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error(`unexpected listen address ${String(address)}`));
        return;
      }
      server.close((err) => (err ? reject(err) : resolve(address.port)));
    });
  });
}
