import { setTimeout as sleep } from 'node:timers/promises';
import { startSimulatedAgents, type SimulatedAgents } from '../../apps/agent/src/simulated';
import { CairnProcess } from '../agents/cairn-process';
import { type Benchmark, type BenchContext, requireKafka, sized } from '../core/bench-context';
import type { BenchResult } from '../core/bench-result';
import { summarise, type Comparison } from '../core/compare';
import { row } from '../core/compare';
import { freePort } from '../core/free-port';
import { percentile } from '../core/stats';

const SIZES = {
  full: { masters: 3, agents: 20, apps: 100, instancesPerApp: 100, failovers: 20 },
  smoke: { masters: 2, agents: 2, apps: 2, instancesPerApp: 5, failovers: 2 },
};
/**
 * The masters' election settings: the floor of any failover is the timeout. The full run measures
 * fast settings; the smoke run (inside the test suite, on a loaded machine) only proves the path.
 */
const TIMINGS = {
  full: { heartbeatMs: 100, electionTimeoutMs: 500 },
  smoke: { heartbeatMs: 300, electionTimeoutMs: 3_000 },
};
const TOKEN = 'bench-master-failover';
const AGENT_RESOURCES = 'cpus:1000;mem:1000000;ports:[31000-32000]';
const WAIT_MS = 300_000;
const PROBE_APP = '/bench/failover-probe';

interface MasterProc {
  readonly proc: CairnProcess;
  readonly url: string;
}

/**
 * Failover of the whole master, as a client and the agents see it: masters on one Kafka cluster
 * (one leader, hot standbys), simulated agents holding `instances` tasks RUNNING, all agents
 * given every master's URL. The leader is SIGKILLed; measured from that moment to (1) the first
 * write a client sends round the surviving masters that is acknowledged (a PUT, retried every 5 ms
 * on 503 or a refused connection) and (2) every agent connected to the new leader again. The
 * killed master is then restarted (a standby) before the next failover. Beside it, the floor: the
 * election timeout configured, which no failover can beat.
 */
export const masterFailoverBenchmark: Benchmark = {
  name: 'master-failover',
  needsKafka: true,
  async run(ctx: BenchContext): Promise<BenchResult> {
    const brokers = requireKafka(ctx);
    const sizes = sized(ctx, SIZES);
    const timings = sized(ctx, TIMINGS);
    const cluster = `${ctx.runId}-failover`;
    const logDir = ctx.dirs.make('master-failover');
    const masters: MasterProc[] = [];
    let agents: SimulatedAgents | undefined;
    const writeMs: number[] = [];
    const agentsMs: number[] = [];
    let tasksRunning = 0;
    let launchesDuringFailovers = 0;
    try {
      for (let i = 0; i < sizes.masters; i++)
        masters.push(await startMaster(brokers, cluster, logDir, timings, await freePort()));
      await waitUntil(async () => (await leaderOf(masters)) !== undefined, 'a leader');
      agents = await startSimulatedAgents({
        masterUrl: masters.map((m) => m.url),
        count: sizes.agents,
        token: TOKEN,
        resources: AGENT_RESOURCES,
        hostnamePrefix: 'failover',
        runUpMs: 0,
        seed: ctx.runId,
        // Every failover makes each agent warn about the master it lost: not news here.
        logLevel: 'error',
      });
      const tasks = sizes.apps * sizes.instancesPerApp;
      ctx.log(`master-failover: ${sizes.masters} masters, ${sizes.agents} agents, launching ${tasks} tasks`);
      for (let a = 0; a < sizes.apps; a++) {
        await put(masters, `/v2/apps/bench/failover-${a}`, {
          cmd: 'sleep 3600',
          cpus: 0.01,
          mem: 1,
          instances: sizes.instancesPerApp,
        });
      }
      await put(masters, `/v2/apps${PROBE_APP}`, { cmd: 'sleep 3600', cpus: 0.01, mem: 1, instances: 0 });
      await waitUntil(async () => (await runningTasks(masters)) === tasks, `${tasks} tasks running`);
      const launchedBefore = await launchedCount(masters);

      for (let f = 0; f < sizes.failovers; f++) {
        const leader = await waitUntil(() => leaderOf(masters), 'a leader');
        await waitUntil(async () => (await connectedAgents(leader)) === sizes.agents, 'every agent on the leader');
        const survivors = masters.filter((m) => m !== leader);
        const killedAt = process.hrtime.bigint();
        await leader.proc.stop('SIGKILL');
        // (1) the first acknowledged write through a surviving master
        for (let i = 0; ; i++) {
          const target = survivors[i % survivors.length]!;
          const ok = await tryPut(target, `/v2/apps${PROBE_APP}?force=true`, { labels: { failover: String(f) } });
          if (ok) break;
          await sleep(5);
        }
        writeMs.push(Number(process.hrtime.bigint() - killedAt) / 1e6);
        // (2) every agent back on the new leader
        const next = await waitUntil(() => leaderOf(survivors), 'the new leader');
        await waitUntil(async () => (await connectedAgents(next)) === sizes.agents, 'every agent re-registered', 1);
        agentsMs.push(Number(process.hrtime.bigint() - killedAt) / 1e6);
        ctx.log(
          `master-failover ${f + 1}/${sizes.failovers}: write ${round(writeMs.at(-1)!)} ms, agents ${round(agentsMs.at(-1)!)} ms`,
        );
        // The killed master comes back as a standby, at its address (the agents' --master list).
        const port = Number(new URL(leader.url).port);
        masters.splice(masters.indexOf(leader), 1, await startMaster(brokers, cluster, logDir, timings, port));
      }
      tasksRunning = await runningTasks(masters);
      launchesDuringFailovers = (await launchedCount(masters)) - launchedBefore;
    } finally {
      await agents?.close().catch(() => undefined);
      for (const m of masters) await m.proc.stop('SIGKILL').catch(() => undefined);
    }

    const floor = timings.electionTimeoutMs;
    const comparison = (label: string, ms: number[]): Comparison => {
      const subject = summarise(label, [{ ops: ms.length, seconds: sum(ms) / 1000, latenciesMs: ms }]);
      const baseline = summarise('the election timeout configured (the floor)', [
        { ops: ms.length, seconds: (ms.length * floor) / 1000, latenciesMs: ms.map(() => floor) },
      ]);
      return { subject, baseline, ratio: subject.perSecond / baseline.perSecond };
    };
    const tasks = sizes.apps * sizes.instancesPerApp;
    const details = (ms: number[]) => ({
      p50Ms: round(percentile(ms, 50)),
      maxMs: round(Math.max(...ms)),
      p50OverFloor: round(percentile(ms, 50) / floor, 2),
      maxOverFloor: round(Math.max(...ms) / floor, 2),
      failovers: ms.length,
    });
    return {
      name: 'master-failover',
      title: 'Master failover on Kafka (leader SIGKILL)',
      method:
        `${sizes.masters} masters on one Kafka cluster, ${sizes.agents} simulated agents holding ${tasks} running tasks; ` +
        'the leader is SIGKILLed; time to the first client write acknowledged through a surviving master, and to every ' +
        'agent connected to the new leader; beside the election timeout (the floor)',
      settings: {
        masters: sizes.masters,
        agents: sizes.agents,
        tasks,
        failovers: sizes.failovers,
        heartbeatMs: timings.heartbeatMs,
        electionTimeoutMs: timings.electionTimeoutMs,
        tasksRunningAtEnd: tasksRunning,
        tasksLaunchedDuringFailovers: launchesDuringFailovers,
      },
      rows: [
        row({
          case: 'first write acknowledged',
          unit: 'failovers/s',
          comparison: comparison('write through a survivor', writeMs),
          details: details(writeMs),
        }),
        row({
          case: 'every agent re-registered',
          unit: 'failovers/s',
          comparison: comparison('agents on the new leader', agentsMs),
          details: details(agentsMs),
        }),
      ],
      notes: [
        'A ratio of 1 would be a failover as fast as the election timeout itself; the rest is the claim round trip, ' +
          'the new leader fencing (InitProducerId), catching up and appending LeaderElected, and the write. ' +
          '`tasksLaunchedDuringFailovers` should be 0: no task is restarted by a leader change.',
        'Agents learn of the new leader by their command stream closing and trying the next URL of their list, with backoff.',
      ],
    };
  },
};

async function startMaster(
  brokers: string[],
  cluster: string,
  logDir: string,
  timings: { heartbeatMs: number; electionTimeoutMs: number },
  port: number,
): Promise<MasterProc> {
  const proc = CairnProcess.spawn('master', ['master'], {
    logDir,
    env: {
      CAIRN_LOG: 'kafka',
      KAFKA_BROKERS: brokers.join(','),
      CAIRN_CLUSTER: cluster,
      CAIRN_HOST: '127.0.0.1',
      CAIRN_PORT: String(port),
      CAIRN_AGENT_TOKEN: TOKEN,
      CAIRN_ELECTION_HEARTBEAT_MS: String(timings.heartbeatMs),
      CAIRN_ELECTION_TIMEOUT_MS: String(timings.electionTimeoutMs),
      CAIRN_LOG_LEVEL: 'warn',
    },
  });
  const master = { proc, url: `http://127.0.0.1:${port}` };
  await waitUntil(async () => {
    if (proc.exitStatus()) throw new Error(`a master exited\n${proc.logTail()}`);
    return (await getJson(master, '/v1/info')) !== undefined;
  }, 'a master serving');
  return master;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON read ad hoc; each caller picks the fields it needs
async function getJson(master: MasterProc, path: string): Promise<any> {
  try {
    const res = await fetch(master.url + path, { signal: AbortSignal.timeout(5_000) });
    return res.ok ? await res.json() : undefined;
  } catch {
    return undefined;
  }
}

async function leaderOf(masters: readonly MasterProc[]): Promise<MasterProc | undefined> {
  for (const m of masters) if ((await getJson(m, '/v1/info'))?.role === 'leader') return m;
  return undefined;
}

async function connectedAgents(master: MasterProc): Promise<number> {
  const body = await getJson(master, '/v1/agents');
  return body ? (body.agents as { connected: boolean }[]).filter((a) => a.connected).length : -1;
}

async function runningTasks(masters: readonly MasterProc[]): Promise<number> {
  for (const m of masters) {
    const body = await getJson(m, '/v2/apps');
    if (body) return (body.apps as { tasksRunning: number }[]).reduce((n, a) => n + a.tasksRunning, 0);
  }
  return -1;
}

/** TaskLaunched events in the log, counted from the event log's pages. */
async function launchedCount(masters: readonly MasterProc[]): Promise<number> {
  const m = masters[0]!;
  let from = 0;
  let launched = 0;
  for (;;) {
    const page = await getJson(m, `/v1/events?from=${from}&limit=1000`);
    if (!page) throw new Error('cannot read /v1/events');
    launched += (page.events as { type: string }[]).filter((e) => e.type === 'TaskLaunched').length;
    if (page.next >= page.end || page.events.length === 0) return launched;
    from = page.next;
  }
}

async function tryPut(master: MasterProc, path: string, body: unknown): Promise<boolean> {
  try {
    const res = await fetch(master.url + path, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(5_000),
    });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

async function put(masters: readonly MasterProc[], path: string, body: unknown): Promise<void> {
  await waitUntil(async () => {
    for (const m of masters)
      if (await tryPut(m, `${path}${path.includes('?') ? '&' : '?'}force=true`, body)) return true;
    return false;
  }, `PUT ${path}`);
}

async function waitUntil<T>(check: () => Promise<T | undefined | false>, what: string, intervalMs = 20): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error(`master-failover: timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function round(value: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
