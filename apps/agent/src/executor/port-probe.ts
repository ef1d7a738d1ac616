import { createServer } from 'node:net';

/**
 * The first of `ports` that something on this host already listens on, or undefined. Probed by
 * listening on every IPv4 address for an instant: Linux refuses that while any address holds the
 * port (127.0.0.1 included), which is exactly when a task told to bind it would crash with
 * "Address already in use". A race with a process that binds it right after is still possible;
 * this catches the common case (a port held by something outside Cairn, for the task's lifetime).
 */
export async function firstPortInUse(ports: readonly number[]): Promise<number | undefined> {
  for (const port of ports) {
    if (port > 0 && (await inUse(port))) return port;
  }
  return undefined;
}

function inUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRINUSE'));
    // exclusive: a cluster worker must not share a handle; the probe wants a bind of its own.
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => server.close(() => resolve(false)));
  });
}
