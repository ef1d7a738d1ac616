import { startSimulatedAgents, type SimulatedAgents, type SimulatedAgentsStats } from '../../apps/agent/src/simulated';
import { type Benchmark, type BenchContext, sized } from '../core/bench-context';
import type { BenchResult } from '../core/bench-result';
import { compare, row, type Side, target } from '../core/compare';
import { median, roundSeconds } from '../core/stats';
import { appendWithGroupCommit, BASELINE_APPENDERS, reencode } from './append-baseline';
import { BenchMaster } from './bench-master';
import { ownCpuSeconds, processCpuSeconds } from './cpu-time';
import { LaunchTracker } from './launch-tracker';
import { readLogPages, type RecordedEventJson } from './log-pages';

const SIZES = {
  full: { agents: 100, apps: 100, instancesPerApp: 100, repetitions: 3 },
  smoke: { agents: 5, apps: 5, instancesPerApp: 10, repetitions: 1 },
};
/** perf.md / issue 4: simulated tasks to RUNNING. */
const TARGET_TASKS_PER_S = 1_000;
/** Issue 12: placements durably logged per second, their share of the log's own rate, and p99 per task. */
const SCALE_TARGET_TASKS_PER_S = 5_000;
const SCALE_TARGET_RATIO = 0.3;
const SCALE_TARGET_P99_MS = 1_000;
/** The scheduler's period (it also ticks at once whenever demand changes). */
const TICK_MS = 50;
/** Launch → RUNNING on a simulated agent: 0 measures the control plane alone. */
const RUN_UP_MS = 0;
const AGENT_RESOURCES = 'cpus:100;mem:100000;ports:[31000-32000]';
const APP_RESOURCES = { cpus: 0.1, mem: 16 };
/** Apps created at once during set-up (not measured). */
const CREATES_IN_FLIGHT = 16;
const ALL_RUNNING_TIMEOUT_MS = 300_000;
const POLL_INTERVAL_MS = 5;
const TOKEN = 'bench-launch-simulated';

interface RunFacts {
  tasks: number;
  events: RecordedEventJson[];
  stats: SimulatedAgentsStats;
  observedSeconds: number;
  /** CPU seconds from the first scale command until all RUNNING was seen. */
  masterCpuSeconds: number;
  simulatorCpuSeconds: number;
}

/**
 * Launch throughput of the control plane: a real `cairn master` (compiled, file log) and
 * simulated agents in the bench process speaking the real agent protocol; apps created with 0
 * instances, then all scaled at once; from the first scale command to the last task recorded
 * RUNNING. Baseline: the very events the master wrote for that, appended again through the file
 * log with group commit (what the log alone could do).
 */
export const launchSimulatedBenchmark: Benchmark = {
  name: 'launch-simulated',
  needsKafka: false,
  async run(ctx: BenchContext): Promise<BenchResult> {
    const sizes = sized(ctx, SIZES);
    const tasks = sizes.apps * sizes.instancesPerApp;
    let last: RunFacts | undefined;
    const eventsPerTask: number[] = [];
    const launchBytes: number[] = [];
    const placementBytes: number[] = [];
    const observed: number[] = [];
    const masterCpu: number[] = [];
    const simulatorCpu: number[] = [];

    const subject: Side = {
      label: `cairn master + ${sizes.agents} simulated agents`,
      async run(rep) {
        const { latenciesMs, seconds, facts } = await scaleUpOnce(ctx, sizes, rep);
        last = facts;
        eventsPerTask.push(facts.events.length / tasks);
        // What one launch costs the log, and the share of it that explains the placement.
        const launches = facts.events.filter((e) => e.type === 'TaskLaunched');
        launchBytes.push(median(launches.map((e) => JSON.stringify(e).length)));
        placementBytes.push(median(launches.map((e) => JSON.stringify(e.data.placement ?? null).length)));
        observed.push(facts.observedSeconds);
        masterCpu.push(facts.masterCpuSeconds / facts.observedSeconds);
        simulatorCpu.push(facts.simulatorCpuSeconds / facts.observedSeconds);
        return { ops: tasks, seconds, latenciesMs };
      },
    };
    const baseline: Side = {
      label: `FileEventLog.append of the same events, ${BASELINE_APPENDERS} appenders (group commit)`,
      async run() {
        if (!last) throw new Error('the baseline replays the events of the run before it');
        const records = reencode(last.events);
        const { seconds, latenciesMs } = await appendWithGroupCommit(ctx.dirs.make('launch-simulated-log'), records);
        return { ops: tasks, seconds, latenciesMs };
      },
    };

    ctx.log(`launch-simulated: ${sizes.agents} agents, ${sizes.apps} apps × ${sizes.instancesPerApp} instances`);
    const comparison = await compare({
      subject,
      baseline,
      repetitions: sizes.repetitions,
      warmUp: false,
      order: 'subject-first',
    });
    const stats = last!.stats;
    return {
      name: 'launch-simulated',
      title: 'Launch to RUNNING, simulated agents',
      method:
        `a compiled \`cairn master\` (file log, CAIRN_TICK_MS ${TICK_MS}) and ${sizes.agents} simulated agents (real agent ` +
        `protocol over HTTP, one pooled connection per agent, run-up ${RUN_UP_MS} ms); ${sizes.apps} apps created with 0 instances, then all scaled to ` +
        `${sizes.instancesPerApp} at once through PUT /v2/apps; time from the first scale command to the last ` +
        'TaskStatusUpdated RUNNING (its `at`), latency per task from its app’s AppScaled `at` to its RUNNING `at`; vs ' +
        'the events the master wrote for it, re-encoded and appended through a fresh FileEventLog with group commit',
      settings: {
        agents: sizes.agents,
        apps: sizes.apps,
        instancesPerApp: sizes.instancesPerApp,
        tasks,
        tickMs: TICK_MS,
        runUpMs: RUN_UP_MS,
        agentResources: AGENT_RESOURCES,
        simulatorSockets: sizes.agents,
        taskResources: `cpus:${APP_RESOURCES.cpus};mem:${APP_RESOURCES.mem};1 port`,
        repetitions: sizes.repetitions,
      },
      rows: [
        row({
          case: `${tasks.toLocaleString('en-US')} tasks on ${sizes.agents} agents`,
          unit: 'tasks/s',
          comparison,
          targets: [
            target(
              `≥ ${TARGET_TASKS_PER_S.toLocaleString('en-US')} tasks/s`,
              !ctx.smoke,
              comparison.subject.perSecond >= TARGET_TASKS_PER_S,
            ),
            target(
              `≥ ${SCALE_TARGET_TASKS_PER_S.toLocaleString('en-US')} tasks/s (issue 12)`,
              !ctx.smoke,
              comparison.subject.perSecond >= SCALE_TARGET_TASKS_PER_S,
            ),
            target(`ratio ≥ ${SCALE_TARGET_RATIO}`, !ctx.smoke, comparison.ratio >= SCALE_TARGET_RATIO),
            target(
              `p99 ≤ ${SCALE_TARGET_P99_MS.toLocaleString('en-US')} ms`,
              !ctx.smoke,
              (comparison.subject.p99Ms ?? Infinity) <= SCALE_TARGET_P99_MS,
            ),
          ],
          details: {
            eventsPerTask: Math.round(median(eventsPerTask) * 100) / 100,
            taskLaunchedBytes: Math.round(median(launchBytes)),
            placementRecordBytes: Math.round(median(placementBytes)),
            secondsUntilAllAcked: roundSeconds(median(observed)),
            masterCpuCores: Math.round(median(masterCpu) * 100) / 100,
            simulatorCpuCores: Math.round(median(simulatorCpu) * 100) / 100,
            agentRegistrations: stats.registrations,
            statusUpdatesAcked: stats.updatesAcked,
          },
        }),
      ],
      notes: [
        'The ratio is the share of the log’s own append capacity the whole launch path reaches (REST, decide, ' +
          'offers, HTTP command streams, status updates, fsync, projection): 1.0 would mean the master adds nothing ' +
          'to the log’s cost. Baseline latency = one append of one event.',
        'Each repetition starts a fresh master and fresh agents (so the master runs cold: no warm-up carries over).',
        'The simulated agents run in the benchmark process on the same cores as the master (simulatorCpuCores is ' +
          'their share); the end of the run is seen from their acks, and the events are read from /v1/events after ' +
          'it, so that nothing reads the log while the master works.',
      ],
    };
  },
};

async function scaleUpOnce(
  ctx: BenchContext,
  sizes: (typeof SIZES)['full'],
  rep: number,
): Promise<{ seconds: number; latenciesMs: number[]; facts: RunFacts }> {
  const tasks = sizes.apps * sizes.instancesPerApp;
  const master = await BenchMaster.start({
    dataDir: ctx.dirs.make('launch-simulated'),
    agentToken: TOKEN,
    tickMs: TICK_MS,
    seed: `bench-launch-simulated-${rep}`,
  });
  let agents: SimulatedAgents | undefined;
  try {
    agents = await startSimulatedAgents({
      masterUrl: master.url,
      count: sizes.agents,
      token: TOKEN,
      resources: AGENT_RESOURCES,
      hostnamePrefix: 'sim',
      runUpMs: RUN_UP_MS,
      seed: `bench-${rep}`,
      // One connection per agent, as a fleet of real agents holds (16 each): the simulator's shared
      // default of 64 made a hundred agents queue their status requests behind each other's.
      maxSockets: sizes.agents,
    });
    const appIds = Array.from({ length: sizes.apps }, (_, i) => `/bench/sim/app-${i}`);
    await inBatches(appIds, CREATES_IN_FLIGHT, (id) =>
      master.http.expect('POST', '/v2/apps', { id, cmd: 'sleep 3600', ...APP_RESOURCES, instances: 0 }),
    );
    const from = await master.http.endOffset();
    const masterCpuBefore = processCpuSeconds(master.process.pid);
    const ownCpuBefore = ownCpuSeconds();
    const startedMs = Date.now();
    const startedNs = process.hrtime.bigint();
    await Promise.all(
      appIds.map((id) =>
        master.http.expect('PUT', `/v2/apps${id}?partialUpdate=true`, { instances: sizes.instancesPerApp }),
      ),
    );
    // An ack means the RUNNING is in the log and applied: the agents know when all are, at no cost to the master.
    const running = agents;
    await waitFor(
      () => running.stats().updatesAcked >= tasks,
      ALL_RUNNING_TIMEOUT_MS,
      () => exitedEarly(master),
      () => `${running.stats().updatesAcked} of ${tasks} RUNNING updates acked`,
    );
    const observedSeconds = Number(process.hrtime.bigint() - startedNs) / 1e9;
    const masterCpuSeconds = processCpuSeconds(master.process.pid) - masterCpuBefore;
    const simulatorCpuSeconds = ownCpuSeconds() - ownCpuBefore;

    const tracker = new LaunchTracker(tasks);
    const events = await readLogPages(master.http, from, await master.http.endOffset());
    for (const event of events) tracker.accept(event);
    tracker.check();
    const lastRunning = tracker.lastRunning();
    return {
      seconds: (lastRunning.atMs - startedMs) / 1000,
      latenciesMs: tracker.latenciesMs(),
      facts: {
        tasks,
        events: events.filter((e) => e.offset <= lastRunning.offset),
        stats: agents.stats(),
        observedSeconds,
        masterCpuSeconds,
        simulatorCpuSeconds,
      },
    };
  } finally {
    await agents?.close();
    await master.stop();
  }
}

function exitedEarly(master: BenchMaster): Error | undefined {
  const status = master.process.exitStatus();
  return status
    ? new Error(`the master exited (${status.code ?? status.signal})\n${master.process.logTail()}`)
    : undefined;
}

/** Polls `done` (in this process: cheap) until true; fails on `failure()` or after `timeoutMs`. */
async function waitFor(
  done: () => boolean,
  timeoutMs: number,
  failure: () => Error | undefined,
  progress: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    const error = failure();
    if (error) throw error;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${progress()}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

/** Runs `fn` over `items`, at most `inFlight` at a time. */
async function inBatches<T>(items: readonly T[], inFlight: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, items.length) }, worker));
}
