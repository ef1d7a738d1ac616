import { createConnection } from 'node:net';

const COMMAND_TIMEOUT_MS = 3_000;

/**
 * Sends one command to an HAProxy CLI socket (the master's `-S` socket or a `stats socket`) and
 * returns its whole answer. Non-interactive mode: HAProxy answers and closes once our side is
 * half-closed, so the write is followed by end().
 */
export function unixSocketCommand(path: string, command: string, timeoutMs = COMMAND_TIMEOUT_MS): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    const chunks: Buffer[] = [];
    socket.setTimeout(timeoutMs, () =>
      socket.destroy(new Error(`'${command}' on ${path}: no answer in ${timeoutMs} ms`)),
    );
    socket.on('connect', () => socket.end(`${command}\n`));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', (hadError) => {
      if (!hadError) resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}
