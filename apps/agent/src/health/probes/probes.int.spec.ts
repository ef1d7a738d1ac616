import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { SystemClock } from '@cairn/common';
import { tempWorkDir, waitFor } from '../../executor/executor-test-support';
import type { HealthCheckSpec } from '../../protocol/agent-protocol';
import { runProbe, type Probe, type ProbeOutcome, type ReadinessOutcome } from '../probe';
import { realProbes } from '../probe-factory';
import type { CheckedTask } from '../task-checks';
import { httpHealthProbe, httpReadinessProbe } from './http-probe';
import { tcpProbe } from './tcp-probe';

// The probes against real local servers on free ports, with the real clock. Every server is
// closed (connections included) after each test; command probes leave no process behind.
jest.setTimeout(20_000);

const clock = new SystemClock();
const work = tempWorkDir();
const servers: { close(): Promise<void> }[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});
afterAll(() => work.remove());

function probeOnce<T extends ProbeOutcome | ReadinessOutcome>(probe: Probe<T>, timeoutMs = 2_000) {
  return runProbe(probe, { timeoutMs, clock, controller: new AbortController() });
}

/** Tracks sockets so close() can end kept-open and hanging connections too. */
function track(server: Server): { port: () => number; sockets: Set<Socket>; close(): Promise<void> } {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return {
    port: () => (server.address() as AddressInfo).port,
    sockets,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

async function anHttpServer(handler: (request: IncomingMessage, response: ServerResponse) => void) {
  const server = createHttpServer(handler);
  const tracked = track(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(tracked);
  return tracked;
}

/** A port nothing listens on: bound, then released. */
async function aClosedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const http = (port: number, path = '/health') => ({ scheme: 'http' as const, port, path });

describe('HTTP health probe', () => {
  it.each([
    { name: '200 passes', status: 200, want: { kind: 'success' } },
    { name: '302 passes', status: 302, want: { kind: 'success' } },
    { name: '399 passes', status: 399, want: { kind: 'success' } },
    { name: '400 fails', status: 400, want: { kind: 'failure', cause: 'HTTP 400' } },
    { name: '500 fails', status: 500, want: { kind: 'failure', cause: 'HTTP 500' } },
  ])('$name', async ({ status, want }) => {
    const seen: string[] = [];
    const server = await anHttpServer((request, response) => {
      seen.push(`${request.method} ${request.url} ${request.headers.host}`);
      response.writeHead(status).end('body');
    });
    expect(await probeOnce(httpHealthProbe(http(server.port()), false))).toEqual(want);
    expect(seen).toEqual([`GET /health 127.0.0.1:${server.port()}`]);
  });

  it('fails an answer slower than the timeout, and closes its connection', async () => {
    const server = await anHttpServer(() => undefined); // never answers
    const started = Date.now();
    expect(await probeOnce(httpHealthProbe(http(server.port()), false), 200)).toEqual({
      kind: 'failure',
      cause: 'timed out after 0.2 s',
    });
    expect(Date.now() - started).toBeLessThan(1_500);
    await waitFor('the probe connection closed', () => (server.sockets.size === 0 ? true : undefined));
  });

  it('passes on the status line even when the body never ends', async () => {
    const server = await anHttpServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('partial');
    });
    expect(await probeOnce(httpHealthProbe(http(server.port()), false), 300)).toEqual({ kind: 'success' });
    await waitFor('the probe connection closed', () => (server.sockets.size === 0 ? true : undefined));
  });

  it('fails on a 1xx, or ignores it with ignoreHttp1xx', async () => {
    const server = await anHttpServer((_request, response) => response.writeProcessing()); // 102, then nothing
    expect(await probeOnce(httpHealthProbe(http(server.port()), false))).toEqual({
      kind: 'failure',
      cause: 'HTTP 102 (informational)',
    });
    expect(await probeOnce(httpHealthProbe(http(server.port()), true))).toEqual({
      kind: 'ignored',
      cause: 'HTTP 102 (informational)',
    });
  });

  it('fails on a refused connection, naming it', async () => {
    const outcome = await probeOnce(httpHealthProbe(http(await aClosedPort()), false));
    expect(outcome).toMatchObject({ kind: 'failure', cause: expect.stringContaining('ECONNREFUSED') });
  });

  it('HTTPS does not verify the certificate (a self-signed one passes)', async () => {
    const dir = join(work.dir, 'tls');
    mkdirSync(dir, { recursive: true });
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=elsewhere.example',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' }); // prettier-ignore
    const server = createHttpsServer(
      { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
      (request, response) => response.writeHead(request.url === '/ok' ? 204 : 503).end(),
    );
    const tracked = track(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(tracked);
    const https = (path: string) => ({ scheme: 'https' as const, port: tracked.port(), path });
    expect(await probeOnce(httpHealthProbe(https('/ok'), false))).toEqual({ kind: 'success' });
    expect(await probeOnce(httpHealthProbe(https('/down'), false))).toEqual({ kind: 'failure', cause: 'HTTP 503' });
    // The same server over plain HTTP is no answer at all.
    expect(await probeOnce(httpHealthProbe(http(tracked.port()), false), 500)).toMatchObject({ kind: 'failure' });
  });
});

describe('HTTP readiness probe', () => {
  it('keeps status, content type and at most 1 KiB of the body, cut between characters', async () => {
    const body = 'a'.repeat(1023) + 'é' + 'b'.repeat(5000); // é is 2 bytes: bytes 1023-1024
    const server = await anHttpServer((_request, response) => {
      response.writeHead(503, { 'content-type': 'application/json; charset=utf-8' }).end(body);
    });
    expect(await probeOnce(httpReadinessProbe(http(server.port(), '/ready')))).toEqual({
      kind: 'response',
      status: 503,
      contentType: 'application/json; charset=utf-8',
      body: 'a'.repeat(1023),
    });
  });

  it('keeps a short body whole, and fails without an answer', async () => {
    const server = await anHttpServer((_request, response) => response.writeHead(200).end('ready ✓'));
    expect(await probeOnce(httpReadinessProbe(http(server.port())))).toEqual({
      kind: 'response',
      status: 200,
      contentType: '',
      body: 'ready ✓',
    });
    expect(await probeOnce(httpReadinessProbe(http(await aClosedPort())))).toMatchObject({ kind: 'failure' });
  });
});

describe('TCP probe', () => {
  it('passes when the port accepts a connection, which it then closes', async () => {
    const server = createTcpServer();
    const tracked = track(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(tracked);
    expect(await probeOnce(tcpProbe(tracked.port()))).toEqual({ kind: 'success' });
    await waitFor('the probe connection closed', () => (tracked.sockets.size === 0 ? true : undefined));
  });

  it('fails on a closed port', async () => {
    expect(await probeOnce(tcpProbe(await aClosedPort()))).toMatchObject({
      kind: 'failure',
      cause: expect.stringContaining('ECONNREFUSED'),
    });
  });
});

describe('COMMAND probe', () => {
  const sandbox = join(work.dir, 'sandboxes', 'cmd.1');
  mkdirSync(sandbox, { recursive: true });
  const task: CheckedTask = {
    taskId: 'cmd.1',
    spec: {
      taskId: 'cmd.1',
      appId: '/cmd',
      appVersion: 'v1',
      command: { shell: true, value: 'sleep 1' },
      env: { GREETING: 'hi' },
      ports: [31000, 31001],
      portNames: ['http', undefined],
      host: 'probe-host',
    },
    sandboxDir: sandbox,
    healthChecks: [],
    readinessChecks: [],
    runningSince: 0,
  };
  const command = (value: string): HealthCheckSpec => ({
    protocol: 'COMMAND',
    command: value,
    path: null,
    port: null,
    portIndex: null,
    gracePeriodSeconds: 0,
    intervalSeconds: 1,
    timeoutSeconds: 1,
    maxConsecutiveFailures: 3,
    delaySeconds: 0,
    ignoreHttp1xx: false,
  });
  const probes = realProbes({ inheritedEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });

  it("passes on exit 0, in the sandbox, with the task's environment", async () => {
    const check = command(
      'test "$PORT0" = 31000 && test "$PORT_HTTP" = 31000 && test "$PORTS" = 31000,31001 && ' +
        `test "$HOST" = probe-host && test "$GREETING" = hi && test "$MESOS_SANDBOX" = "${sandbox}" && ` +
        `test "$(pwd)" = "${sandbox}"`,
    );
    expect(await probeOnce(probes.health(check, task))).toEqual({ kind: 'success' });
  });

  it('fails on a non-zero exit, quoting its output', async () => {
    expect(await probeOnce(probes.health(command('echo "not ready yet" >&2; exit 1'), task))).toEqual({
      kind: 'failure',
      cause: 'exited with status 1: not ready yet',
    });
    expect(await probeOnce(probes.health(command('exit 7'), task))).toEqual({
      kind: 'failure',
      cause: 'exited with status 7',
    });
  });

  it('kills the whole process group at the timeout', async () => {
    const pidFile = join(sandbox, 'background.pid');
    const started = Date.now();
    const outcome = await probeOnce(probes.health(command(`sleep 30 & echo $! > ${pidFile}; wait`), task), 300);
    expect(outcome).toEqual({ kind: 'failure', cause: 'timed out after 0.3 s' });
    expect(Date.now() - started).toBeLessThan(2_000);
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    await waitFor('the background sleep killed', () => (processGone(pid) ? true : undefined));
  });

  it('leaves nothing running when the command exits and left a child behind', async () => {
    const pidFile = join(sandbox, 'left.pid');
    expect(await probeOnce(probes.health(command(`sleep 30 & echo $! > ${pidFile}`), task))).toEqual({
      kind: 'success',
    });
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    await waitFor('the left-behind sleep killed', () => (processGone(pid) ? true : undefined));
  });

  it('fails when the command cannot start (no such working directory)', async () => {
    const gone = { ...task, sandboxDir: join(work.dir, 'no-such-dir') };
    expect(await probeOnce(probes.health(command('true'), gone))).toMatchObject({
      kind: 'failure',
      cause: expect.stringContaining('could not run the command'),
    });
  });
});

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  // A zombie (killed, not yet reaped by init) counts as gone.
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? true;
  } catch {
    return true;
  }
}
