import { SeededIdSource } from '@cairn/common';
import type { Command } from '@cairn/domain';
import { FileEventLog } from '@cairn/eventlog/file/file-event-log';
import { startSimulatedAgents, type SimulatedAgents } from '../../apps/agent/src/simulated';
import { ProjectionRunner } from '../../apps/master/src/core/projection-runner';
import { Sequencer } from '../../apps/master/src/core/sequencer';
import { type Benchmark, type BenchContext, sized } from '../core/bench-context';
import type { BenchResult } from '../core/bench-result';
import { compare, row, type Side } from '../core/compare';
import { median, secondsSince } from '../core/stats';
import { BenchMaster } from './bench-master';
import { readLogPages, type RecordedEventJson } from './log-pages';

const SIZES = {
  full: { agents: 20, instances: 1_000, repetitions: 3, transitions: 20_000 },
  smoke: { agents: 3, instances: 20, repetitions: 1, transitions: 200 },
};
const TICK_MS = 50;
/** Simulated health: a task's check reports alive this long after RUNNING. */
const HEALTHY_AFTER_MS = 10;
const AGENT_RESOURCES = 'cpus:200;mem:200000;ports:[31000-32999]';
const HEALTH_CHECK = { protocol: 'HTTP', path: '/', portIndex: 0, gracePeriodSeconds: 60, intervalSeconds: 1 };
const TOKEN = 'bench-rolling-restart';
const DONE_TIMEOUT_MS = 600_000;
const POLL_MS = 50;
const IN_FLIGHT = 64;

/**
 * Deployments at size on simulated agents with simulated health (the real agent protocol, health
 * transitions over the reliable status path): a rolling restart of an N-instance app (upgrade 1/1),
 * from its AppUpdated to its DeploymentFinished, against the same agents launching N healthy
 * tasks of a new app, from AppScaled to DeploymentFinished, in the same run. And the sequencer's
 * cost of one health transition against one plain status update.
 */
export const rollingRestartBenchmark: Benchmark = {
  name: 'rolling-restart',
  needsKafka: false,
  async run(ctx: BenchContext): Promise<BenchResult> {
    const sizes = sized(ctx, SIZES);
    const eventsPerTask: number[] = [];
    const restart: Side = {
      label: `rolling restart of ${sizes.instances} healthy instances (1/1)`,
      run: async (rep) => {
        const run = await deploymentOnce(ctx, sizes, rep, 'restart');
        eventsPerTask.push(run.events / sizes.instances);
        return { ops: sizes.instances, seconds: run.seconds };
      },
    };
    const launch: Side = {
      label: `launch of ${sizes.instances} healthy instances, same agents`,
      run: async (rep) => {
        const run = await deploymentOnce(ctx, sizes, rep, 'launch');
        return { ops: sizes.instances, seconds: run.seconds };
      },
    };
    ctx.log(`rolling-restart: ${sizes.agents} agents, ${sizes.instances} instances`);
    const deployments = await compare({
      subject: restart,
      baseline: launch,
      repetitions: sizes.repetitions,
      warmUp: false,
    });

    const health: Side = {
      label: 'Sequencer: health transitions (ReportTaskStatus with health)',
      run: async () => ({ ops: sizes.transitions, seconds: await reportsOnce(ctx, sizes.transitions, 'health') }),
    };
    const status: Side = {
      label: 'Sequencer: plain status updates (ReportTaskStatus)',
      run: async () => ({ ops: sizes.transitions, seconds: await reportsOnce(ctx, sizes.transitions, 'status') }),
    };
    const transitions = await compare({
      subject: health,
      baseline: status,
      repetitions: sizes.repetitions,
      warmUp: !ctx.smoke,
    });

    return {
      name: 'rolling-restart',
      title: 'Deployments and health at size',
      method:
        `a compiled \`cairn master\` (file log, CAIRN_TICK_MS ${TICK_MS}) and ${sizes.agents} simulated agents whose ` +
        `health checks report alive ${HEALTHY_AFTER_MS} ms after RUNNING; restart: an app of ${sizes.instances} ` +
        'healthy instances gets a new cmd, timed from its AppUpdated `at` to its DeploymentFinished `at`; launch: a ' +
        'new app of 0 instances scaled to the same count, from AppScaled to DeploymentFinished (fresh master each ' +
        'side). Health: the Sequencer on a file log deciding ReportTaskStatus commands that each carry a health ' +
        'transition, against the same number of plain RUNNING status updates',
      settings: {
        agents: sizes.agents,
        instances: sizes.instances,
        tickMs: TICK_MS,
        healthyAfterMs: HEALTHY_AFTER_MS,
        agentResources: AGENT_RESOURCES,
        transitions: sizes.transitions,
        repetitions: sizes.repetitions,
      },
      rows: [
        row({
          case: `rolling restart, ${sizes.instances.toLocaleString('en-US')} instances, ${sizes.agents} agents`,
          unit: 'tasks replaced/s',
          comparison: deployments,
          targets: [],
          details: { eventsPerReplacedTask: Math.round(median(eventsPerTask) * 100) / 100 },
        }),
        row({
          case: `health transitions through the sequencer (${sizes.transitions.toLocaleString('en-US')})`,
          unit: 'transitions/s',
          comparison: transitions,
          targets: [],
          details: {},
        }),
      ],
      notes: [
        'Row 1: a ratio of 1.0 would mean replacing a task costs what launching one does; a rolling restart ' +
          'launches N and kills N, waits for each new task to be healthy, and (1/1) keeps both versions running.',
        'Row 2: the ratio is the cost of a status update over the cost of a health transition (both one command, ' +
          'one event, one fsync share).',
      ],
    };
  },
};

async function deploymentOnce(
  ctx: BenchContext,
  sizes: (typeof SIZES)['full'],
  rep: number,
  kind: 'restart' | 'launch',
): Promise<{ seconds: number; events: number }> {
  const master = await BenchMaster.start({
    dataDir: ctx.dirs.make(`rolling-${kind}`),
    agentToken: TOKEN,
    tickMs: TICK_MS,
    seed: `bench-rolling-${kind}-${rep}`,
  });
  let agents: SimulatedAgents | undefined;
  try {
    agents = await startSimulatedAgents({
      masterUrl: master.url,
      count: sizes.agents,
      token: TOKEN,
      resources: AGENT_RESOURCES,
      hostnamePrefix: 'sim',
      runUpMs: 0,
      healthyAfterMs: HEALTHY_AFTER_MS,
      seed: `bench-rolling-${rep}`,
    });
    const id = `/bench/rolling/${kind}-app`;
    const app = { id, cmd: 'sleep 3600', cpus: 0.01, mem: 8, healthChecks: [HEALTH_CHECK] };
    if (kind === 'restart') {
      await master.http.expect('POST', '/v2/apps', { ...app, instances: sizes.instances });
      await untilNoDeployment(master);
    } else {
      await master.http.expect('POST', '/v2/apps', { ...app, instances: 0 });
    }
    const from = await master.http.endOffset();
    const change = kind === 'restart' ? { cmd: 'sleep 3601' } : { instances: sizes.instances };
    await master.http.expect('PUT', `/v2/apps${id}`, change);
    await untilNoDeployment(master);
    const events = await readLogPages(master.http, from, await master.http.endOffset());
    return {
      seconds: deploymentSeconds(events, kind === 'restart' ? 'AppUpdated' : 'AppScaled'),
      events: events.length,
    };
  } finally {
    await agents?.close();
    await master.stop();
  }
}

async function untilNoDeployment(master: BenchMaster): Promise<void> {
  const deadline = Date.now() + DONE_TIMEOUT_MS;
  for (;;) {
    const list = await master.http.expect<unknown[]>('GET', '/v2/deployments');
    if (list.body.length === 0) return;
    if (master.process.exitStatus()) throw new Error(`the master exited\n${master.process.logTail()}`);
    if (Date.now() > deadline) throw new Error(`a deployment did not finish within ${DONE_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function deploymentSeconds(events: readonly RecordedEventJson[], startType: string): number {
  const start = events.find((e) => e.type === startType);
  const finished = events.find((e) => e.type === 'DeploymentFinished');
  if (!start || !finished) throw new Error(`no ${startType} and DeploymentFinished in the deployment's events`);
  return (Date.parse(finished.at) - Date.parse(start.at)) / 1000;
}

/**
 * `count` ReportTaskStatus commands through a Sequencer on a file log, `IN_FLIGHT` at a time,
 * against running tasks of an app with one health check: each a health transition (alive
 * flipping), or a plain status update of the same task.
 */
async function reportsOnce(ctx: BenchContext, count: number, kind: 'health' | 'status'): Promise<number> {
  const log = new FileEventLog({ dir: ctx.dirs.make(`rolling-${kind}`) });
  await log.open();
  try {
    const projection = new ProjectionRunner();
    const ids = new SeededIdSource(`bench-health-${kind}`);
    let fatal: Error | undefined;
    const sequencer = new Sequencer({ log, projection, ids, onFatal: (e) => (fatal = e) });
    const tasks = await setUpRunningTasks(sequencer, IN_FLIGHT);
    let issued = 0;
    const meta = (i: number) => ({
      now: Date.UTC(2026, 0, 2) + i,
      actor: 'agent:a1',
      commandId: `c${i}`,
      correlationId: `c${i}`,
    });
    const report = (i: number): Command => {
      const taskId = tasks[i % tasks.length];
      const base = {
        kind: 'ReportTaskStatus' as const,
        agentId: 'a1',
        taskId,
        state: 'TASK_RUNNING' as const,
        updateId: `${kind}-${i}`,
        reason: null,
        message: null,
        exitCode: null,
        meta: meta(i),
      };
      if (kind === 'status') return base;
      // Each report flips the verdict of its task's check: every one is a transition, never a repeat.
      const alive = Math.floor(i / tasks.length) % 2 === 0;
      return {
        ...base,
        health: {
          checkIndex: 0,
          alive,
          consecutiveFailures: alive ? 0 : 1,
          firstSuccess: null,
          lastSuccess: null,
          lastFailure: null,
          lastFailureCause: alive ? null : 'HTTP 503',
        },
      };
    };
    const start = process.hrtime.bigint();
    const client = async () => {
      while (issued < count) await sequencer.submit(report(issued++));
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, client));
    const seconds = secondsSince(start);
    if (fatal) throw fatal;
    return seconds;
  } finally {
    await log.close();
  }
}

/** An agent, an app with a health check and `n` running tasks, set up through the sequencer. */
async function setUpRunningTasks(sequencer: Sequencer, n: number): Promise<string[]> {
  const t0 = Date.UTC(2026, 0, 1);
  const meta = (k: string, now = t0) => ({ now, actor: 'bench', commandId: k, correlationId: k });
  await sequencer.submit({
    kind: 'RegisterAgent',
    agentId: null,
    newAgentId: 'a1',
    info: {
      hostname: 'a1',
      filesPort: 0,
      resources: { cpus: 1000, mem: 1_000_000, disk: 0, ports: [[31000, 32999]] },
      attributes: {},
      capabilities: ['MESOS'],
    },
    tasks: [],
    meta: meta('register'),
  });
  await sequencer.submit({
    kind: 'CreateApp',
    force: true,
    app: { id: '/bench/health', cmd: 'sleep 1', cpus: 0.01, mem: 1, instances: n, healthChecks: [HEALTH_CHECK] },
    meta: meta('create'),
  });
  const tick = async (i: number) =>
    sequencer.submit({
      kind: 'Tick',
      seed: `tick-${i}`,
      agentUnreachableMs: 3_600_000,
      connectedAgentIds: ['a1'],
      leaderSinceMs: t0,
      meta: meta(`tick-${i}`, t0 + 1_000 * (i + 1)),
    });
  const launched: string[] = [];
  for (let i = 0; launched.length < n && i < n; i++) {
    const { events } = await tick(i);
    for (const e of events) if (e.type === 'TaskLaunched') launched.push(e.data.taskId);
  }
  for (const taskId of launched) {
    await sequencer.submit({
      kind: 'ReportTaskStatus',
      agentId: 'a1',
      taskId,
      state: 'TASK_RUNNING',
      updateId: `run-${taskId}`,
      reason: null,
      message: null,
      exitCode: null,
      meta: meta(`run-${taskId}`, t0 + 100_000),
    });
  }
  if (launched.length !== n) throw new Error(`set-up launched ${launched.length} of ${n} tasks`);
  return launched;
}
