import { createConnection, createServer, Socket } from 'node:net';
import { onFileEnd } from './test-run';

/**
 * A fixed address in front of a process that moves: each connection is forwarded to wherever
 * `targetPort()` says at that moment. A restarted MasterHandle listens on a new free port; agents
 * given the forwarder's URL reconnect to the new master as they would to a stable address (a
 * load balancer, a DNS name). When the target is down, connections are refused at once.
 */
export interface TcpForwarder {
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Stops listening and cuts every forwarded connection. */
  close(): Promise<void>;
}

const open = new Set<TcpForwarder>();

export async function startTcpForwarder(targetPort: () => number, host = '127.0.0.1'): Promise<TcpForwarder> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const server = createServer((client) => {
    track(client);
    const upstream = createConnection({ host, port: targetPort() });
    track(upstream);
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', cut);
    upstream.on('error', cut);
    client.on('close', cut);
    upstream.on('close', cut);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error(`unexpected listen address ${String(address)}`);
  let closing: Promise<void> | undefined;
  const forwarder: TcpForwarder = {
    port: address.port,
    url: `http://${host}:${address.port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        open.delete(forwarder);
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
  open.add(forwarder);
  return forwarder;
}

// Before the processes are swept: a forwarder holds no process, only sockets of this worker.
onFileEnd(-1, async () => {
  await Promise.all([...open].map((forwarder) => forwarder.close()));
});
