import { cpSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { SeededIdSource, SystemClock } from '@cairn/common';
import { draft, type EventDraft } from '@cairn/domain';
import { anAgent, appCreated, aTask, statusUpdated } from '@cairn/domain/testing/cluster-builders';
import { catalogue, encodeEvent, type CairnEvent } from '@cairn/events';
import { FileSnapshotStore, NodeFs, type AppendRecord } from '@cairn/eventlog';
import { FileEventLog } from '@cairn/eventlog/file/file-event-log';
import { Snapshotter } from '../../apps/master/src/snapshots/snapshots';
import { CairnProcess } from '../agents/cairn-process';
import { MasterHttp, waitUntilServing } from '../agents/master-http';
import { type Benchmark, type BenchContext, sized } from '../core/bench-context';
import type { BenchResult } from '../core/bench-result';
import { compare, row, type Side, target } from '../core/compare';
import { freePort } from '../core/free-port';
import { replayThroughProjection } from '../core/replay-through-projection';
import { roundSeconds as round, secondsSince } from '../core/stats';

interface Sizes {
  readonly agents: number;
  readonly apps: number;
  readonly tasksPerApp: number;
  /** Events appended after the snapshot: what a start from it replays. */
  readonly tailEvents: number;
  readonly repetitions: number;
}
const SIZES: { full: Sizes; smoke: Sizes } = {
  full: { agents: 500, apps: 150, tasksPerApp: 1_000, tailEvents: 2_000, repetitions: 20 },
  smoke: { agents: 5, apps: 3, tasksPerApp: 20, tailEvents: 10, repetitions: 1 },
};
/** The HA issue's target: a master with 150,000 tasks serves within this after it is started. */
const TARGET_COLD_START_SECONDS = 5;
const READY_TIMEOUT_MS = 180_000;
const APPEND_BATCH = 1_000;
const T0 = Date.parse('2026-01-01T00:00:00.000Z');

/**
 * Recovery of a master whose log holds a large running cluster: the compiled `cairn master`
 * started on the file log until it serves (GET /v1/info answers), with the newest snapshot in
 * its data dir (load it, replay the tail) against the same log without snapshots (a full replay).
 * The snapshot is written by the master's own Snapshotter from a full replay of the log.
 */
export const masterRecoveryBenchmark: Benchmark = {
  name: 'master-recovery',
  needsKafka: false,
  async run(ctx: BenchContext): Promise<BenchResult> {
    const sizes = sized(ctx, SIZES);
    const tasks = sizes.apps * sizes.tasksPerApp;
    const withSnapshot = ctx.dirs.make('recovery-snapshot');
    ctx.log(`master-recovery: writing a log with ${tasks.toLocaleString('en-US')} running tasks`);
    const written = await writeClusterLog(join(withSnapshot, 'log'), sizes);
    const snapshot = await writeSnapshot(withSnapshot);
    await appendTail(join(withSnapshot, 'log'), sizes, written.ids);
    const fullReplay = ctx.dirs.make('recovery-full-replay');
    cpSync(join(withSnapshot, 'log'), join(fullReplay, 'log'), { recursive: true });
    ctx.log(
      `master-recovery: ${written.events.toLocaleString('en-US')} events + ${sizes.tailEvents} after a ` +
        `${(snapshot.bytes / 1e6).toFixed(1)} MB snapshot (written in ${snapshot.seconds.toFixed(1)} s)`,
    );

    let stallFigures: Stalls | undefined;
    const recoveries: Record<string, { snapshotOffset: number | null; replayedEvents: number }[]> = {
      snapshot: [],
      full: [],
    };
    const side = (label: string, dataDir: string, key: 'snapshot' | 'full'): Side => ({
      label,
      async run(rep) {
        const { seconds, recovery, tasksServed, stalls } = await coldStart(dataDir, key === 'snapshot' && rep === 0);
        if (stalls) stallFigures = stalls;
        if (tasksServed !== tasks)
          throw new Error(`${label}: the master serves ${tasksServed} tasks, expected ${tasks}`);
        if ((recovery.snapshotOffset !== null) !== (key === 'snapshot')) {
          throw new Error(`${label}: recovered with snapshotOffset ${recovery.snapshotOffset}`);
        }
        if (rep >= 0) recoveries[key].push(recovery);
        return { ops: 1, seconds };
      },
    });
    const comparison = await compare({
      subject: side('cairn master: newest snapshot + the tail', withSnapshot, 'snapshot'),
      baseline: side('cairn master: full replay of the same log', fullReplay, 'full'),
      repetitions: sizes.repetitions,
      warmUp: false,
    });
    // One start per repetition: seconds = 1 / starts per second.
    const maxSeconds = (runs: readonly number[]) => 1 / Math.min(...runs);
    const snapshotMax = maxSeconds(comparison.subject.runs);
    return {
      name: 'master-recovery',
      title: 'Master cold start: from a snapshot vs a full replay',
      method:
        'the compiled `cairn master` on the file log, from spawn until it serves (GET /v2/info answers 200; /v2/tasks then lists every task); ' +
        'with the snapshot its Snapshotter wrote (load, check, replay the events after it) vs the same log without snapshots',
      settings: {
        agents: sizes.agents,
        apps: sizes.apps,
        runningTasks: tasks,
        eventsBeforeSnapshot: written.events,
        eventsAfterSnapshot: sizes.tailEvents,
        snapshotBytes: snapshot.bytes,
        snapshotWriteSeconds: round(snapshot.seconds),
        repetitions: sizes.repetitions,
      },
      rows: [
        row({
          case: `${tasks.toLocaleString('en-US')} running tasks`,
          unit: 'starts/s',
          comparison,
          targets: [
            target(
              `cold start ≤ ${TARGET_COLD_START_SECONDS} s (max)`,
              !ctx.smoke,
              snapshotMax <= TARGET_COLD_START_SECONDS,
            ),
          ],
          details: {
            snapshotStartP50Seconds: round(comparison.subject.seconds),
            fullReplayStartP50Seconds: round(comparison.baseline.seconds),
            snapshotStartMaxSeconds: round(snapshotMax),
            fullReplayStartMaxSeconds: round(maxSeconds(comparison.baseline.runs)),
            replayedAfterSnapshot: recoveries.snapshot[0]?.replayedEvents ?? 0,
            ...(stallFigures ?? {}),
          },
        }),
      ],
    };
  },
};

/** Envelopes as the sequencer makes them, ids from a seeded source, times one ms apart. */
class Envelopes {
  private tick = 0;
  constructor(readonly ids = new SeededIdSource('bench-recovery')) {}
  record(d: EventDraft): AppendRecord {
    const id = this.ids.uuid();
    const event = {
      id,
      type: d.type,
      v: catalogue[d.type].current,
      at: new Date(T0 + this.tick++).toISOString(),
      actor: 'bench',
      correlationId: id,
      causationId: null,
      data: d.data,
    } as CairnEvent;
    return encodeEvent(event);
  }
}

async function appendAll(dir: string, drafts: Iterable<EventDraft>, envelopes: Envelopes): Promise<number> {
  const log = new FileEventLog({ dir });
  await log.open();
  let batch: AppendRecord[] = [];
  let count = 0;
  try {
    for (const d of drafts) {
      batch.push(envelopes.record(d));
      if (batch.length === APPEND_BATCH) {
        await log.append(batch);
        count += batch.length;
        batch = [];
      }
    }
    if (batch.length > 0) await log.append(batch);
    return count + batch.length;
  } finally {
    await log.close();
  }
}

function* clusterDrafts(sizes: Sizes): Generator<EventDraft> {
  const agents = Array.from({ length: sizes.agents }, (_, i) => `agent-${i}`);
  for (const agentId of agents) yield anAgent(agentId).withResources('cpus:64;mem:65536;disk:100000').registered();
  let n = 0;
  for (let a = 0; a < sizes.apps; a++) {
    const appId = `/bench/app-${a}`;
    yield appCreated(appId, { instances: sizes.tasksPerApp, cpus: 0.1, mem: 32 });
    for (let t = 0; t < sizes.tasksPerApp; t++) {
      const taskId = `bench_app-${a}.${t}`;
      const agentId = agents[n++ % agents.length];
      const task = aTask(appId, taskId).onAgent(agentId).withResources('cpus:0.1;mem:32');
      yield task.launched();
      yield statusUpdated(taskId, agentId, 'TASK_RUNNING', `${taskId}-running`);
    }
  }
}

async function writeClusterLog(dir: string, sizes: Sizes): Promise<{ events: number; ids: Envelopes }> {
  const envelopes = new Envelopes();
  const events = await appendAll(dir, clusterDrafts(sizes), envelopes);
  return { events, ids: envelopes };
}

async function appendTail(dir: string, sizes: Sizes, envelopes: Envelopes): Promise<void> {
  function* tail(): Generator<EventDraft> {
    for (let i = 0; i < sizes.tailEvents; i++) {
      const lastScalingAt = new Date(T0 + 10_000_000 + i).toISOString();
      yield draft('AppScaled', { appId: `/bench/app-${i % sizes.apps}`, instances: sizes.tasksPerApp, lastScalingAt });
    }
  }
  await appendAll(dir, tail(), envelopes);
}

/** What the leader does: replay, then its Snapshotter writes a snapshot into `<dataDir>/snapshots`. */
async function writeSnapshot(dataDir: string): Promise<{ bytes: number; seconds: number }> {
  const log = new FileEventLog({ dir: join(dataDir, 'log'), readOnly: true });
  await log.open();
  try {
    const projection = await replayThroughProjection(log);
    const start = process.hrtime.bigint();
    const snapshotter = new Snapshotter({
      store: new FileSnapshotStore(new NodeFs(), join(dataDir, 'snapshots')),
      projection,
      clock: new SystemClock(),
      every: 1,
      record: async () => undefined,
      logger: { warn: () => undefined, log: () => undefined },
    });
    const meta = await snapshotter.writeNow();
    if (!meta) throw new Error('the Snapshotter wrote no snapshot');
    return { bytes: meta.bytes, seconds: secondsSince(start) };
  } finally {
    await log.close();
  }
}

interface Recovery {
  snapshotOffset: number | null;
  replayedEvents: number;
}

interface Stalls {
  /** Longest /ping round trip while GET /v2/tasks (every task) was being answered. */
  readonly pingMaxMsDuringTaskList: number;
  /** The same while GET /v1/state/hash was being answered. */
  readonly pingMaxMsDuringStateHash: number;
  readonly taskListMs: number;
  readonly stateHashMs: number;
}

/**
 * The stall budget at this size: /ping round trips every 5 ms while a big answer is computed. A
 * request that held the event loop would show as one long ping.
 */
async function measureStalls(http: MasterHttp): Promise<Stalls> {
  const during = async (path: string): Promise<{ pingMaxMs: number; ms: number }> => {
    let done = false;
    let pingMaxMs = 0;
    const pinger = (async () => {
      while (!done) {
        const start = process.hrtime.bigint();
        await http.request('GET', '/ping').catch(() => undefined);
        pingMaxMs = Math.max(pingMaxMs, Number(process.hrtime.bigint() - start) / 1e6);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const start = process.hrtime.bigint();
    await drain(`${http.url}${path}`);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    done = true;
    await pinger;
    return { pingMaxMs: Math.round(pingMaxMs), ms: Math.round(ms) };
  };
  const list = await during('/v2/tasks');
  const hash = await during('/v1/state/hash');
  return {
    pingMaxMsDuringTaskList: list.pingMaxMs,
    pingMaxMsDuringStateHash: hash.pingMaxMs,
    taskListMs: list.ms,
    stateHashMs: hash.ms,
  };
}

/**
 * GET without parsing: the body (75 MB of tasks) is read and dropped, so this process's own loop
 * stays free for the pings it times (parsing it here would show up as a stall of the master).
 */
function drain(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      res.resume();
      res.once('end', resolve);
      res.once('error', reject);
    }).once('error', reject);
  });
}

async function coldStart(
  dataDir: string,
  probeStalls = false,
): Promise<{ seconds: number; recovery: Recovery; tasksServed: number; stalls?: Stalls }> {
  const port = await freePort();
  const start = process.hrtime.bigint();
  const proc = CairnProcess.spawn('master', ['master'], {
    logDir: dataDir,
    env: {
      CAIRN_LOG: 'file',
      CAIRN_DATA_DIR: dataDir,
      CAIRN_HOST: '127.0.0.1',
      CAIRN_PORT: String(port),
      CAIRN_AGENT_TOKEN: 'bench-recovery',
      CAIRN_SNAPSHOT_EVERY: '0',
      CAIRN_LOG_LEVEL: 'warn',
    },
  });
  const http = new MasterHttp(`http://127.0.0.1:${port}`);
  try {
    await waitUntilServing(http, {
      timeoutMs: READY_TIMEOUT_MS,
      exited: () => proc.exitStatus() !== undefined,
      describe: () => proc.logTail(),
    });
    const seconds = secondsSince(start);
    const info = await http.request<{ recovery: Recovery }>('GET', '/v1/info');
    const listed = await http.request<{ tasks: unknown[] }>('GET', '/v2/tasks');
    const stalls = probeStalls ? await measureStalls(http) : undefined;
    return { seconds, recovery: info.body.recovery, tasksServed: listed.body.tasks.length, stalls };
  } finally {
    http.close();
    await proc.stop('SIGTERM').catch(() => undefined);
  }
}
