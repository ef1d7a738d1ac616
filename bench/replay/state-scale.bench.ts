import {
  type ClusterState,
  decide,
  evolve,
  initialState,
  type RestartApp,
  type Tick,
  type UpdateApp,
} from '@cairn/domain';
import { anAgent, appCreated, aTask } from '@cairn/domain/testing/cluster-builders';
import { ClusterScenario } from '@cairn/domain/testing/cluster-scenario';
import { meta, recorded, T0 } from '@cairn/domain/testing/decider-spec';
import { type CairnEvent, encodeEvent } from '@cairn/events';
import { type Benchmark, type BenchContext, sized } from '../core/bench-context';
import type { BenchResult } from '../core/bench-result';
import { compare, row, type Side, target } from '../core/compare';
import { heapUsedAfterGc } from '../core/heap';

/**
 * The folded state at the size (issue 12: 5,000 agents, 10,000 apps, 200,000 tasks), in
 * process, without I/O: what a tick costs there, what the state weighs, and what the log holds per
 * task. The tick is compared with the same tick on a cluster of the same agents and apps that runs
 * no task: the ratio is how much 200,000 undisturbed tasks slow a tick down (1.0 = not at all).
 */
const SIZES = {
  full: { agents: 5_000, apps: 10_000, tasksPerApp: 20, ticks: 20, repetitions: 5 },
  smoke: { agents: 10, apps: 20, tasksPerApp: 5, ticks: 2, repetitions: 1 },
};
/** Issue 12: the master at 200,000 tasks and 10,000 apps within 2 GiB; the folded state must leave room. */
const STATE_BUDGET_BYTES = 1024 ** 3;
/** The stall budget of the HA issue: one decision must not hold the event loop longer. */
const TICK_BUDGET_MS = 50;

const AGENT_RESOURCES = 'cpus:64;mem:262144;disk:100000;ports:[31000-32999]';

export const stateScaleBenchmark: Benchmark = {
  name: 'state-scale',
  needsKafka: false,
  async run(ctx: BenchContext): Promise<BenchResult> {
    const size = sized(ctx, SIZES);
    const tasks = size.apps * size.tasksPerApp;

    ctx.log(`[state-scale] folding ${size.agents} agents, ${size.apps} apps, ${tasks} tasks`);
    const heapEmpty = heapUsedAfterGc();
    const steady = initialState();
    steady.clusterVersion = 3;
    const foldStarted = performance.now();
    let folded = 0;
    const fold = (state: ClusterState, event: CairnEvent) => (folded++, evolve(state, event, 'owned'));
    for (let a = 0; a < size.agents; a++) fold(steady, recorded(agentAt(a).registered(), T0));
    for (let i = 0; i < size.apps; i++) fold(steady, recorded(appCreated(appId(i), appFields(size.tasksPerApp)), T0));
    const heapApps = heapUsedAfterGc();
    let logBytes = 0;
    let task = 0;
    for (let i = 0; i < size.apps; i++) {
      for (let k = 0; k < size.tasksPerApp; k++, task++) {
        const agent = task % size.agents;
        const port = 31_000 + Math.floor(task / size.agents);
        const [launched, running] = aTask(appId(i), `${appId(i).slice(1)}.${k}`)
          .onAgent(agentId(agent))
          .withResources(`cpus:0.1;mem:32;ports:[${port}-${port}]`)
          .running()
          .map((d) => recorded(d, T0 + 1_000));
        if (task < 1_000) logBytes += encodeEvent(launched).value.length + encodeEvent(running).value.length;
        fold(steady, launched);
        fold(steady, running);
      }
    }
    const foldSeconds = (performance.now() - foldStarted) / 1000;
    const heapTasks = heapUsedAfterGc();
    const bytesPerApp = (heapApps - heapEmpty) / size.apps;
    const bytesPerTask = (heapTasks - heapApps) / tasks;
    const stateBytes = heapTasks - heapEmpty;

    // The same agents and apps, no task: the baseline's cluster (its apps want none).
    const idle = initialState();
    idle.clusterVersion = 3;
    for (let a = 0; a < size.agents; a++) evolve(idle, recorded(agentAt(a).registered(), T0));
    for (let i = 0; i < size.apps; i++) evolve(idle, recorded(appCreated(appId(i), appFields(0)), T0));
    // In both, one app wants one more task: each tick makes offers and launches it (decide is
    // pure, so every repetition decides the same tick again).
    const changing = '/scale/changing';
    for (const state of [steady, idle]) evolve(state, recorded(appCreated(changing, appFields(1)), T0));

    const ticksOn = (state: ClusterState, label: string, now = T0 + 2_000): Side => ({
      label,
      async run() {
        const started = performance.now();
        const latenciesMs: number[] = [];
        for (let n = 0; n < size.ticks; n++) {
          const one = performance.now();
          const events = decide(tickAt(now, size.agents), state);
          if (!events.some((e) => e.type === 'TaskLaunched')) throw new Error(`${label}: the tick launched nothing`);
          latenciesMs.push(performance.now() - one);
        }
        return { ops: size.ticks, seconds: (performance.now() - started) / 1000, latenciesMs };
      },
    });
    const tick = await compare({
      subject: ticksOn(steady, `tick with ${tasks} tasks running`),
      baseline: ticksOn(idle, 'the same tick with no task running'),
      repetitions: size.repetitions,
      warmUp: !ctx.smoke,
    });

    // One app scaled by one, as a PUT does (decide only): a walk of every task would show here.
    const scaleOn = (state: ClusterState, label: string): Side => ({
      label,
      async run() {
        const started = performance.now();
        for (let n = 0; n < size.ticks; n++) decide(scale(appId(n % size.apps), size.tasksPerApp + 1), state);
        return { ops: size.ticks, seconds: (performance.now() - started) / 1000 };
      },
    });
    const scaling = await compare({
      subject: scaleOn(steady, `scale decided with ${tasks} tasks running`),
      baseline: scaleOn(idle, 'the same scale with no task running'),
      repetitions: size.repetitions,
      warmUp: !ctx.smoke,
    });

    // 10,000 deployments in flight (the envelope's burst: every app scaled at once), each app
    // wanting one task, against the same demand with no deployment (apps created wanting one).
    const deploying = initialState();
    const levelOnly = initialState();
    for (const state of [deploying, levelOnly]) {
      state.clusterVersion = 3;
      for (let a = 0; a < size.agents; a++) evolve(state, recorded(agentAt(a).registered(), T0));
    }
    for (let i = 0; i < size.apps; i++) {
      evolve(deploying, recorded(appCreated(appId(i), appFields(0)), T0));
      const command = { ...scale(appId(i), 1), meta: meta(T0 + 3_000, `scale-${i}`) };
      for (const event of decide(command, deploying)) evolve(deploying, recorded(event, T0 + 3_000));
      evolve(levelOnly, recorded(appCreated(appId(i), appFields(1)), T0));
    }
    if (deploying.deployments.size !== size.apps)
      throw new Error(`${deploying.deployments.size} deployments in flight`);
    const inFlight = await compare({
      subject: ticksOn(deploying, `tick with ${size.apps} deployments in flight`, T0 + 4_000),
      baseline: ticksOn(levelOnly, 'the same demand without deployments', T0 + 4_000),
      repetitions: size.repetitions,
      warmUp: !ctx.smoke,
    });

    const restart = rollingRestartLogBytes();
    return {
      name: 'state-scale',
      title: 'The folded state at size (ticks, memory, log bytes per task)',
      method:
        `in process: ${size.agents} agents, ${size.apps} apps and ${tasks} RUNNING tasks folded as a replay does (owned); ` +
        'a tick (decide) in which one app wants one task, vs the same tick on the same agents and apps with no task running; ' +
        `a tick with ${size.apps} deployments in flight (each app scaled from 0 to 1), vs the same demand without deployments; ` +
        'heap after a full GC before and after the apps and the tasks',
      settings: { ...size, tasks, agentResources: AGENT_RESOURCES, clusterVersion: 3 },
      rows: [
        row({
          case: `tick at ${tasks} tasks`,
          unit: 'ticks/s',
          comparison: tick,
          targets: [
            target('ratio ≥ 0.5 (a tick does not grow with undisturbed tasks)', !ctx.smoke, tick.ratio >= 0.5),
            target(`p99 ≤ ${TICK_BUDGET_MS} ms (stall budget)`, !ctx.smoke, tick.subject.p99Ms! <= TICK_BUDGET_MS),
          ],
          details: {
            cairnP50Ms: round(tick.subject.p50Ms!),
            cairnP99Ms: round(tick.subject.p99Ms!),
            baselineP99Ms: round(tick.baseline.p99Ms!),
          },
        }),
        row({
          case: `tick with ${size.apps} deployments in flight`,
          unit: 'ticks/s',
          comparison: inFlight,
          targets: [
            target(`p99 ≤ ${TICK_BUDGET_MS} ms (stall budget)`, !ctx.smoke, inFlight.subject.p99Ms! <= TICK_BUDGET_MS),
          ],
          details: {
            cairnP50Ms: round(inFlight.subject.p50Ms!),
            cairnP99Ms: round(inFlight.subject.p99Ms!),
            baselineP99Ms: round(inFlight.baseline.p99Ms!),
          },
        }),
        row({
          case: `scale decided at ${tasks} tasks`,
          unit: 'commands/s',
          comparison: scaling,
          details: { cairnMsPerCommand: round((1000 * scaling.subject.seconds) / scaling.subject.ops) },
        }),
      ],
      notes: [
        `folded state: ${mib(stateBytes)} MiB for ${size.apps} apps and ${tasks} tasks ` +
          `(${Math.round(bytesPerApp)} bytes per app, ${Math.round(bytesPerTask)} bytes per task, the task table's indexes included); ` +
          `budget ${mib(STATE_BUDGET_BYTES)} MiB: ${ctx.smoke ? 'not judged (smoke)' : stateBytes <= STATE_BUDGET_BYTES ? 'met' : '**missed**'}`,
        `fold (cold start from the log, without I/O or decoding): ${round(foldSeconds)} s for ${folded} events`,
        `log bytes per task lifecycle (TaskLaunched + TaskStatusUpdated RUNNING, encoded): ${Math.round(logBytes / Math.min(task, 1_000))}; ` +
          `with the kill and its TASK_KILLED, and the offers of a rolling restart: ${restart.bytesPerTask} bytes per task restarted ` +
          `(${restart.tasks} tasks, ${restart.events} events)`,
      ],
    };
  },
};

/**
 * The log a rolling restart writes per task: a 20-task app without health checks restarted through
 * the real decide path (ClusterScenario: each event encoded by the codec), agents answering at once.
 */
function rollingRestartLogBytes(): { bytesPerTask: number; tasks: number; events: number } {
  const instances = 20;
  const cluster = new ClusterScenario();
  cluster.given([0, 1, 2, 3].map((a) => agentAt(a).registered()));
  cluster.given([appCreated('/scale/restart', appFields(instances))]);
  let now = T0;
  for (let round = 0; round < 50 && cluster.activeCount('/scale/restart') < instances; round++) {
    cluster.tick((now += 1_000));
    cluster.reportAll(now);
  }
  const from = cluster.log.length;
  const command: RestartApp = { kind: 'RestartApp', appId: '/scale/restart', force: false, meta: meta((now += 1_000)) };
  cluster.run(command);
  for (let round = 0; round < 100 && cluster.state.deployments.size > 0; round++) {
    cluster.tick((now += 1_000));
    cluster.reportAll(now);
    cluster.reportKills(now);
  }
  if (cluster.state.deployments.size > 0) throw new Error('the rolling restart did not finish');
  const written = cluster.log.slice(from);
  const bytes = written.reduce((sum, event) => sum + encodeEvent(event).value.length, 0);
  return { bytesPerTask: Math.round(bytes / instances), tasks: instances, events: written.length };
}

const appId = (i: number) => `/scale/team-${i % 100}/app-${i}`;
const agentId = (a: number) => `agent-${String(a).padStart(5, '0')}`;
const agentAt = (a: number) => anAgent(agentId(a)).withResources(AGENT_RESOURCES);
const appFields = (instances: number) => ({ instances, cpus: 0.1, mem: 32, portDefinitions: [{ port: 0 }] });

function tickAt(now: number, agents: number): Tick {
  return {
    kind: 'Tick',
    seed: 'state-scale',
    agentUnreachableMs: 60_000,
    connectedAgentIds: Array.from({ length: agents }, (_, a) => agentId(a)),
    leaderSinceMs: T0,
    meta: meta(now),
  };
}

function scale(id: string, instances: number): UpdateApp {
  return { kind: 'UpdateApp', force: true, appId: id, body: { instances }, partial: true, meta: meta(T0 + 3_000) };
}

const round = (n: number) => Math.round(n * 100) / 100;
const mib = (bytes: number) => Math.round(bytes / 2 ** 20);
