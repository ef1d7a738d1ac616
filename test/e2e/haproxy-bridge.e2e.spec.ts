import { rmSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import {
  AgentHandle,
  ALIVE_HTTP_CHECK,
  allEvents,
  appTasks,
  EventView,
  freePort,
  isProcessLive,
  MasterHandle,
  requireKafkaBrokers,
  startAgent,
  startMaster,
  TEST_MASTER_AGENT_ENV,
  waitFor,
  waitForSettled,
} from '../harness';
import { serverName } from '../../apps/haproxy-bridge/src/render/haproxy-config';
import { BridgeLogLine, HaproxyBridgeHandle, requireHaproxy, startHaproxyBridge } from '../harness/haproxy-bridge';

jest.setTimeout(300_000);

const APP_ID = '/lb/web';
/** python's http.server on $PORT0 serving the sandbox's www/: `id` names the task, `alive` is the health check's. */
const SERVE_ID =
  'mkdir -p www && touch www/alive && printf %s "$MESOS_TASK_ID" > www/id && cd www && ' +
  'exec python3 -m http.server $PORT0 --bind 127.0.0.1';

/** One request through the proxy: when it left, when it came back, and which task answered. */
interface Probe {
  readonly sentAt: number;
  readonly doneAt: number;
  readonly taskId?: string;
  /** The HAProxy server that forwarded it (the bridge's X-Cairn-Server header): a task's own entry, or not. */
  readonly server?: string;
  readonly failure?: string;
}

interface Phase {
  readonly name: string;
  readonly from: number;
  to: number;
}

/** Requests through the proxy, one at a time, each on a new connection, until stopped. */
function startLoad(port: number): { probes: Probe[]; stop(): Promise<void> } {
  const probes: Probe[] = [];
  let running = true;
  const once = () =>
    new Promise<Probe>((resolve) => {
      const sentAt = Date.now();
      const req = request({ host: '127.0.0.1', port, path: '/id', agent: false, timeout: 5_000 }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        res.on('end', () =>
          resolve(
            res.statusCode === 200
              ? { sentAt, doneAt: Date.now(), taskId: body, server: String(res.headers['x-cairn-server']) }
              : { sentAt, doneAt: Date.now(), failure: `HTTP ${res.statusCode}` },
          ),
        );
      });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (error) => resolve({ sentAt, doneAt: Date.now(), failure: error.message }));
      req.end();
    });
  const loop = (async () => {
    while (running) {
      probes.push(await once());
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  return {
    probes,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

/** What the test folds from the master's events, independently of the bridge: when each task could serve. */
interface TaskTimes {
  healthyAt?: number;
  unroutableAt?: number;
}

function taskTimes(events: readonly EventView[]): Map<string, TaskTimes> {
  const times = new Map<string, TaskTimes>();
  const get = (id: string) => times.get(id) ?? times.set(id, {}).get(id)!;
  for (const event of events) {
    const id = event.data?.taskId as string | undefined;
    if (!id) continue;
    const at = Date.parse(event.at);
    if (event.type === 'TaskHealthChanged' && event.data.alive === true) get(id).healthyAt ??= at;
    const leaving =
      (event.type === 'TaskHealthChanged' && event.data.alive === false) ||
      event.type === 'TaskKillRequested' ||
      (event.type === 'TaskStatusUpdated' && event.data.state !== 'TASK_RUNNING');
    if (leaving && get(id).healthyAt !== undefined) get(id).unroutableAt ??= at;
  }
  return times;
}

/** Routable tasks at an offset: RUNNING, not being killed, every check alive (the test's own fold). */
function routableAt(events: readonly EventView[], offset: number): Set<string> {
  const tasks = new Map<string, { running: boolean; killed: boolean; alive: boolean | null }>();
  for (const event of events) {
    if (event.offset > offset) break;
    const id = event.data?.taskId as string;
    if (event.type === 'TaskLaunched') tasks.set(id, { running: false, killed: false, alive: null });
    const task = tasks.get(id);
    if (!task) continue;
    if (event.type === 'TaskStatusUpdated') task.running = event.data.state === 'TASK_RUNNING';
    if (event.type === 'TaskKillRequested') task.killed = true;
    if (event.type === 'TaskHealthChanged') task.alive = event.data.alive as boolean;
  }
  return new Set([...tasks].filter(([, t]) => t.running && !t.killed && t.alive === true).map(([id]) => id));
}

function serversOf(line: BridgeLogLine): string[] {
  const services = line.services as { appId: string; servers: string[] }[];
  return services.find((s) => s.appId === APP_ID)?.servers ?? [];
}

describe('the HAProxy bridge keeps HAProxy in step with running, healthy tasks [kafka]', () => {
  let master: MasterHandle;
  let agent: AgentHandle;
  let bridge: HaproxyBridgeHandle;
  const logs = () =>
    [master?.describeLogs() ?? '', agent?.describeLogs() ?? '', bridge?.describeLogs() ?? ''].join('\n');

  beforeAll(async () => {
    requireHaproxy();
    requireKafkaBrokers();
    master = await startMaster({ backend: 'kafka', env: TEST_MASTER_AGENT_ENV });
    // The agent's host name is where HAProxy connects: the tasks listen on loopback.
    agent = await startAgent({
      masterUrl: master.url,
      hostname: '127.0.0.1',
      resources: 'cpus:8;mem:8192;ports:[28400-28599]',
    });
  }, 120_000);

  afterAll(async () => {
    await bridge?.stop().catch(() => undefined);
    await agent?.killTasksAndStop();
    await master?.stop();
  });

  it('routes only to RUNNING, healthy tasks through scale up, a rolling restart, a failing check and scale down', async () => {
    const servicePort = await freePort();
    const created = await master.http.post('/v2/apps', {
      id: APP_ID,
      cmd: SERVE_ID,
      instances: 1,
      cpus: 0.05,
      mem: 16,
      backoffSeconds: 1,
      portDefinitions: [{ port: servicePort, protocol: 'tcp', name: 'http' }],
      healthChecks: [ALIVE_HTTP_CHECK],
      upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: 0.34 },
    });
    expect(created.status).toBe(201);
    await waitForSettled(master, APP_ID, 1, { healthy: true, onTimeout: logs });

    // The bridge starts after some history: it folds the topic from 0, then follows.
    bridge = startHaproxyBridge({ brokers: requireKafkaBrokers(), cluster: master.cluster });
    const [first] = await appTasks(master, APP_ID);
    await waitForServers([first.id]);
    const started = bridge.logged('haproxy started')[0];
    expect(started).toBeDefined();

    const load = startLoad(servicePort);
    const phases: Phase[] = [];
    const phase = async (name: string, body: () => Promise<void>) => {
      const current: Phase = { name, from: Date.now(), to: Infinity };
      phases.push(current);
      await body();
      await new Promise((resolve) => setTimeout(resolve, 500)); // traffic on the settled configuration too
      current.to = Date.now();
    };

    await phase('scale up 1 → 3', async () => {
      expect((await master.http.put(`/v2/apps${APP_ID}`, { instances: 3 })).status).toBe(200);
      await waitForSettled(master, APP_ID, 3, { healthy: true, onTimeout: logs });
      await waitForServers((await appTasks(master, APP_ID)).map((t) => t.id));
    });

    await phase('rolling restart', async () => {
      const before = new Set((await appTasks(master, APP_ID)).map((t) => t.id));
      expect((await master.http.post(`/v2/apps${APP_ID}/restart`, {})).status).toBe(200);
      const after = await waitFor(
        async () => {
          await waitForSettled(master, APP_ID, 3, { healthy: true, onTimeout: logs });
          const tasks = await appTasks(master, APP_ID);
          return tasks.every((t) => !before.has(t.id)) ? tasks : undefined;
        },
        { timeoutMs: 120_000, describe: 'three new healthy tasks after the restart', onTimeout: logs },
      );
      await waitForServers(after.map((t) => t.id));
    });

    let failing = '';
    await phase('a failing health check', async () => {
      const tasks = await appTasks(master, APP_ID);
      failing = tasks[0].id;
      const sandbox = agent.sandboxTasks().find((s) => s.taskId === failing);
      expect(sandbox).toBeDefined();
      rmSync(join(sandbox!.sandboxDir, 'www', 'alive')); // /alive answers 404; /id still names the task
      const replaced = await waitFor(
        async () => {
          const now = await appTasks(master, APP_ID);
          const healthy = now.filter((t) => (t.healthCheckResults as { alive: boolean }[])[0]?.alive === true);
          return healthy.length === 3 && !now.some((t) => t.id === failing) ? now : undefined;
        },
        { timeoutMs: 90_000, describe: 'the unhealthy task replaced by a healthy one', onTimeout: logs },
      );
      await waitForServers(replaced.map((t) => t.id));
    });

    await phase('scale down 3 → 1', async () => {
      expect((await master.http.put(`/v2/apps${APP_ID}`, { instances: 1 })).status).toBe(200);
      await waitForSettled(master, APP_ID, 1, { healthy: true, onTimeout: logs });
      await waitForServers((await appTasks(master, APP_ID)).map((t) => t.id));
    });
    await load.stop();

    const events = await allEvents(master);
    const times = taskTimes(events);
    const applied = bridge.logged('config applied');

    // 1. Every configuration the bridge applied lists exactly the tasks routable at the offset it read up to.
    const problems: string[] = [];
    for (const line of applied) {
      const got = [...serversOf(line)].sort().join(',');
      const want = [...routableAt(events, line.offset as number)].sort().join(',');
      if (got !== want)
        problems.push(`generation ${line.generation} at offset ${line.offset} routes ${got}, the log says ${want}`);
    }

    // 2. No answer ever came from a task before the log said it was healthy (a scale-up's new tasks
    //    are not routed while they start), nor from a task after HAProxy had been told to drop it:
    //    a request sent after a reload (or a runtime take-out) that excludes the task never reaches it.
    for (const probe of load.probes) {
      if (!probe.taskId) continue;
      if (probe.server !== serverName(probe.taskId)) {
        problems.push(`${probe.taskId} answered a request sent at ${probe.sentAt} through server ${probe.server}`);
      }
      const t = times.get(probe.taskId);
      if (t?.healthyAt === undefined || t.healthyAt > probe.doneAt) {
        problems.push(`${probe.taskId} answered at ${probe.doneAt} before it was healthy (${t?.healthyAt})`);
        continue;
      }
      const lastApplied = applied.filter((line) => line.seenAt < probe.sentAt).at(-1);
      const later = applied.filter((line) => line.seenAt >= probe.sentAt && line.seenAt <= probe.doneAt + 1_000);
      const allowed = [lastApplied, ...later].some((line) => line && serversOf(line).includes(probe.taskId!));
      // Taken out at runtime before the request left, and not put back by a later configuration.
      const takenOut = bridge
        .logged('server taken out')
        .some(
          (out) =>
            out.taskId === probe.taskId &&
            out.seenAt < probe.sentAt &&
            !applied.some(
              (line) =>
                line.seenAt > out.seenAt && line.seenAt < probe.sentAt && serversOf(line).includes(probe.taskId!),
            ),
        );
      if (!allowed || takenOut) {
        problems.push(
          `${probe.taskId} answered a request sent at ${probe.sentAt}, after HAProxy dropped it ` +
            `(generation ${lastApplied?.generation}: ${lastApplied && serversOf(lastApplied).join(',')}; ` +
            `taken out: ${takenOut}; unroutable since ${t.unroutableAt})`,
        );
      }
    }
    expect(problems).toEqual([]);

    // 3. The failing task left the rotation on its first failed check, before it was killed.
    const failedAt = times.get(failing)!.unroutableAt!;
    expect(
      events.find((e) => e.type === 'TaskHealthChanged' && e.data.taskId === failing && !e.data.alive),
    ).toBeDefined();
    expect(failedAt).toBeDefined();

    // 4. The report: failed requests per phase (scale down and the restart may lose a few while a
    //    task dies between its kill and the reload; HAProxy retries a refused connection elsewhere).
    const report = phases.map((p) => {
      const inPhase = load.probes.filter((probe) => probe.sentAt >= p.from && probe.sentAt < p.to);
      const failures = inPhase.filter((probe) => probe.failure);
      return {
        phase: p.name,
        requests: inPhase.length,
        failed: failures.length,
        reasons: [...new Set(failures.map((f) => f.failure))],
      };
    });
    console.log(
      `HAProxy bridge: requests through the proxy per phase (${applied.length} configurations applied)\n` +
        report
          .map(
            (r) =>
              `  ${r.phase}: ${r.requests} requests, ${r.failed} failed ${r.reasons.length ? JSON.stringify(r.reasons) : ''}`,
          )
          .join('\n'),
    );
    expect(report.every((r) => r.requests > 20)).toBe(true);
    expect(report.find((r) => r.phase.startsWith('scale up'))!.failed).toBe(0);

    // 5. Stopping the bridge stops its HAProxy.
    const haproxyPid = started.pid as number;
    expect(isProcessLive(haproxyPid)).toBe(true);
    expect(await bridge.stop()).toEqual({ code: 0, signal: null });
    await waitFor(async () => !isProcessLive(haproxyPid), {
      timeoutMs: 5_000,
      describe: 'haproxy gone with its bridge',
    });
  });

  /** Waits until the bridge's last applied configuration routes exactly these tasks. */
  async function waitForServers(taskIds: readonly string[]): Promise<void> {
    const want = [...taskIds].sort().join(',');
    await waitFor(
      async () => {
        const last = bridge.logged('config applied').at(-1);
        return last && [...serversOf(last)].sort().join(',') === want ? last : undefined;
      },
      { timeoutMs: 30_000, describe: `the bridge to route exactly ${want}`, onTimeout: logs },
    );
  }
});
