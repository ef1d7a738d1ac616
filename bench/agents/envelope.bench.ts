import { execFile } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppendRecord } from '@cairn/eventlog';
import { SIMULATED_AGENT_RESOURCES } from '../../apps/agent/src/simulated';
import type { SimulatedAgentsStats } from '../../apps/agent/src/simulated';
import type { Benchmark, BenchContext } from '../core/bench-context';
import type { BenchResult, BenchRow, TargetCheck } from '../core/bench-result';
import { summarise, target } from '../core/compare';
import { appendWithGroupCommit, reencode } from './append-baseline';
import { BenchMaster } from './bench-master';
import { builtCli } from './cairn-process';
import { ownCpuSeconds, processCpuSeconds } from './cpu-time';
import { SimulatorFleet, SimulatorProcess } from './envelope-fleet';
import { EnvelopeTracker, type TrackerWindow } from './envelope-tracker';
import type { MasterHttp } from './master-http';
import type { RecordedEventJson } from './log-pages';

/** Issue 12's envelope: 5,000 agents, 10,000 apps, 200,000 tasks. CAIRN_ENVELOPE_SCALE takes a share of it. */
const ISSUE_SIZE = { agents: 5_000, apps: 10_000, tasks: 200_000 };
const SMOKE_SIZE = { agents: 10, apps: 20, tasks: 100 };
/** Of the apps and tasks, the share restarted in phase 2; of the agents, the share lost in phase 3. */
const RESTART_SHARE = 0.1;
const LOST_SHARE = 0.1;
/** Surviving agents are spread over at most this many simulator processes, about this many each. */
const SURVIVOR_PROCESSES_MAX = 4;
const AGENTS_PER_PROCESS = 1_250;
const TICK_MS = 50;
/**
 * Losing agents: a disconnected agent is unreachable after this long (CAIRN_AGENT_UNREACHABLE_SECONDS;
 * full, smoke). Healthy agents never go near it: their streams stay open. It is also how long a
 * registered agent may take to open its stream: 5,000 agents registering at once need more than a
 * few seconds (a full run with 5 s marked 948 of them unreachable while they connected).
 */
const UNREACHABLE_SECONDS = { full: 15, smoke: 2 };
/** What a restarted master is given, so that it does not take the agents, all gone by then, for unreachable while it is read. */
const RESTART_UNREACHABLE_SECONDS = 3_600;
/** The master drops the stream of an agent silent this long (agent-gateway.ts, not configurable); pings every 5 s. */
const AGENT_SILENCE_SECONDS = 15;
/** Simulated run-up (launch → RUNNING) and health (RUNNING → alive). */
const RUN_UP_MS = 0;
const HEALTHY_AFTER_MS = 10;
/** The usual simulated agent: cpus:8;mem:16384;disk:100000;ports:[31000-32000]. */
const AGENT_RESOURCES = resourceText(SIMULATED_AGENT_RESOURCES);
const APP_RESOURCES = { cpus: 0.1, mem: 16 };
const HEALTH_CHECK = { protocol: 'HTTP', path: '/', portIndex: 0, gracePeriodSeconds: 60, intervalSeconds: 1 };
const APPS_PER_GROUP = 100;
const CREATES_IN_FLIGHT = 64;
const SCALES_IN_FLIGHT = 128;
const RESTARTS_IN_FLIGHT = 64;
const POLL_MS = 250;
const DEPLOYMENT_POLL_MS = 1_000;
const PROGRESS_EVERY_MS = 15_000;
const TOKEN = 'bench-envelope';
/** perf.md: placements durably logged on simulated agents. */
const TARGET_TASKS_PER_S = 5_000;
/** A 503 answer without Retry-After is retried after this long. */
const RETRY_503_MS = 200;
const RETRIES_5XX = 5;

interface Sizes {
  scale: number;
  agents: number;
  apps: number;
  instancesPerApp: number;
  tasks: number;
  restartApps: number;
  restartTasks: number;
  lostAgents: number;
  survivorProcesses: number;
  phaseTimeoutMs: number;
  unreachableSeconds: number;
}

function sizesOf(ctx: BenchContext): Sizes {
  let base = SMOKE_SIZE;
  let scale = 1;
  if (!ctx.smoke) {
    const raw = process.env.CAIRN_ENVELOPE_SCALE;
    scale = raw === undefined || raw === '' ? 1 : Number(raw);
    if (!(scale > 0 && scale <= 10)) throw new Error(`CAIRN_ENVELOPE_SCALE '${raw}' must be a number in (0, 10]`);
    base = {
      agents: Math.round(ISSUE_SIZE.agents * scale),
      apps: Math.round(ISSUE_SIZE.apps * scale),
      tasks: Math.round(ISSUE_SIZE.tasks * scale),
    };
  }
  const apps = Math.max(10, base.apps);
  const agents = Math.max(10, base.agents);
  const instancesPerApp = Math.max(1, Math.round(base.tasks / apps));
  const restartApps = Math.max(1, Math.round(apps * RESTART_SHARE));
  const lostAgents = Math.max(1, Math.round(agents * LOST_SHARE));
  const survivors = agents - lostAgents;
  return {
    scale,
    agents,
    apps,
    instancesPerApp,
    tasks: apps * instancesPerApp,
    restartApps,
    restartTasks: restartApps * instancesPerApp,
    lostAgents,
    survivorProcesses: Math.min(SURVIVOR_PROCESSES_MAX, Math.max(1, Math.ceil(survivors / AGENTS_PER_PROCESS))),
    phaseTimeoutMs: ctx.smoke ? 60_000 : phaseTimeoutMs(),
    unreachableSeconds: ctx.smoke ? UNREACHABLE_SECONDS.smoke : UNREACHABLE_SECONDS.full,
  };
}

/** CAIRN_ENVELOPE_PHASE_TIMEOUT_SECONDS: how long a phase of a full run may wait (default 20 min). */
function phaseTimeoutMs(): number {
  const raw = process.env.CAIRN_ENVELOPE_PHASE_TIMEOUT_SECONDS;
  const seconds = raw === undefined || raw === '' ? 1_200 : Number(raw);
  if (!(seconds > 0)) throw new Error(`CAIRN_ENVELOPE_PHASE_TIMEOUT_SECONDS '${raw}' must be a positive number`);
  return seconds * 1000;
}

/** What one phase measured. */
interface PhaseFacts {
  name: string;
  unit: string;
  label: string;
  /** The baseline's label; default: the log alone appending the phase's events. */
  baselineLabel?: string;
  ops: number;
  /** From the phase's first command to its last event's `at` (what the log says it took). */
  seconds: number;
  /** From the first command until the benchmark saw the phase done (CPU shares are over this). */
  observedSeconds: number;
  masterCpuCores: number;
  simulatorCpuCores: number;
  driverCpuCores: number;
  masterRssMiB: number;
  masterHeapUsedMiB: number;
  simulatorsRssMiB: number;
  masterEventLoopMaxMs: number;
  events: number;
  baselineSeconds: number;
  http5xx: number;
  http503: number;
  extra: Record<string, number | string>;
  targets: TargetCheck[];
}

/**
 * Issue 12's scale envelope on simulated agents: a compiled `cairn master` (file log) and N
 * simulated agents in a few simulator processes (envelope-simulator.ts: startSimulatedAgents, the
 * real agent protocol); the agents register, A apps are created and scaled to T tasks, a tenth
 * of the apps (with simulated health checks) restart, a tenth of the agents is lost with a SIGKILL
 * of their process and their tasks replaced; then the master is restarted on its log. Each phase
 * is timed from its first command to its last event, beside the log alone appending the same
 * events (what launch-simulated compares with), with the CPU of master, simulators and driver.
 */
export const envelopeBenchmark: Benchmark = {
  name: 'envelope',
  needsKafka: false,
  async run(ctx: BenchContext): Promise<BenchResult> {
    const sizes = sizesOf(ctx);
    ctx.log(
      `envelope: ${sizes.agents} agents, ${sizes.apps} apps × ${sizes.instancesPerApp} = ${sizes.tasks} tasks ` +
        `(scale ${sizes.scale}); restart ${sizes.restartTasks} tasks of ${sizes.restartApps} apps; lose ${sizes.lostAgents} agents`,
    );
    const run = new EnvelopeRun(ctx, sizes);
    const phases: PhaseFacts[] = [];
    let stopped: string | undefined;
    try {
      await run.start();
      for (const phase of [
        () => run.register(),
        () => run.createApps(),
        () => run.launch(),
        () => run.rollingRestart(),
        () => run.loseAgents(),
        () => run.restartMaster(),
      ]) {
        const facts = await phase();
        phases.push(facts);
        ctx.log(
          `envelope: ${facts.name}: ${facts.seconds.toFixed(1)} s, ${Math.round(facts.ops / facts.seconds)} ${facts.unit} ` +
            `(log alone ${Math.round(facts.ops / facts.baselineSeconds)}); master ${facts.masterCpuCores} cores, ` +
            `simulators ${facts.simulatorCpuCores}, RSS ${facts.masterRssMiB} MiB`,
        );
      }
    } catch (error) {
      stopped = `stopped in phase ${phases.length + 1} (${PHASE_NAMES[phases.length]}): ${(error as Error).message}`;
      ctx.log(`envelope: ${stopped}`);
      if (ctx.smoke || phases.length === 0) throw error;
    } finally {
      await run.close();
    }
    const failed = phases.flatMap((p) =>
      p.targets.filter((t) => t.met === false).map((t) => `${p.name}: ${t.description}`),
    );
    const failedChecks = run.failedChecks();
    // The process logs are in a temp dir the runner removes: keep them when something went wrong.
    const keptLogs = stopped || failedChecks.length > 0 ? run.keepLogs() : undefined;
    if (ctx.smoke && failedChecks.length > 0) throw new Error(`envelope checks failed: ${failedChecks.join('; ')}`);

    return {
      name: 'envelope',
      title: 'Scale envelope, simulated agents',
      method:
        `a compiled \`cairn master\` (file log, CAIRN_TICK_MS ${TICK_MS}, CAIRN_AGENT_UNREACHABLE_SECONDS ` +
        `${sizes.unreachableSeconds}) and ${sizes.agents} simulated agents (${AGENT_RESOURCES} each) in ` +
        `${sizes.survivorProcesses + 1} simulator processes (startSimulatedAgents, the real agent protocol over HTTP); ` +
        `register; create ${sizes.apps} apps (0 instances; ${sizes.restartApps} with a health check the simulator ` +
        `answers ${HEALTHY_AFTER_MS} ms after RUNNING); scale each to ${sizes.instancesPerApp} (PUT /v2/apps, ` +
        `${SCALES_IN_FLIGHT} in flight) until all ${sizes.tasks} RUNNING; POST /v2/apps/{id}/restart of the ` +
        `${sizes.restartApps} apps with health checks; SIGKILL of the process holding ${sizes.lostAgents} agents until ` +
        `their tasks run elsewhere; then the master restarted on its log. Each phase from its first command to its ` +
        `last event's \`at\`; vs the events the master wrote in that phase, re-encoded and appended to a fresh ` +
        `FileEventLog by 64 appenders (the log alone)`,
      settings: {
        scale: sizes.scale,
        agents: sizes.agents,
        apps: sizes.apps,
        instancesPerApp: sizes.instancesPerApp,
        tasks: sizes.tasks,
        restartApps: sizes.restartApps,
        restartTasks: sizes.restartTasks,
        lostAgents: sizes.lostAgents,
        simulatorProcesses: sizes.survivorProcesses + 1,
        tickMs: TICK_MS,
        agentUnreachableSeconds: sizes.unreachableSeconds,
        agentSilenceSeconds: AGENT_SILENCE_SECONDS,
        runUpMs: RUN_UP_MS,
        healthyAfterMs: HEALTHY_AFTER_MS,
        agentResources: AGENT_RESOURCES,
        taskResources: `cpus:${APP_RESOURCES.cpus};mem:${APP_RESOURCES.mem};1 port`,
        ...(stopped ? { stopped } : {}),
      },
      rows: phases.map(toRow),
      notes: [
        ...(stopped ? [`The run ${stopped}; the rows above are the phases that finished.`] : []),
        ...(keptLogs ? [`The master's and simulators' logs of this run are kept in ${keptLogs}.`] : []),
        ...(failed.length > 0 ? [`Checks that failed: ${failed.join('; ')}.`] : []),
        'Ratio: the share of the log’s own append capacity the whole path reaches for that phase (REST, decide, ' +
          'offers, command streams, status updates, health, fsync, projection); the baseline appends exactly the ' +
          'events the master wrote during the phase. The restart row compares the restarted master (snapshot + ' +
          'tail, to serving) with `cairn replay` folding the whole log.',
        'CPU shares are CPU seconds per wall second (cores) of the master, of all simulator processes, and of the ' +
          'benchmark process (the driver), from the phase’s first command until the driver saw it done; the machine ' +
          'has 2 cores shared with other work. Memory: the master’s RSS (/proc) and heap in use (its ' +
          '/metrics/prometheus) after the phase.',
        'Checks (targets, judged in a full run; a smoke run throws if one fails): no 5xx/503 answered to the driver, ' +
          'AgentUnreachable only for the agents lost, no LeaderElected after the first until the restart, no agent ' +
          'stream dropped (no AgentDisconnected of a surviving agent, each surviving agent registered once), no lost ' +
          'task (every app with its instances RUNNING, the log’s RUNNING tasks = the simulators’, none left staging ' +
          'or running on a lost agent), and the state hash of the restarted master and of the live one each equal ' +
          'to `cairn replay --to` the same offset.',
      ],
    };
  },
};

const PHASE_NAMES = ['register', 'create apps', 'launch', 'rolling restart', 'lose agents', 'master restart'];

function toRow(p: PhaseFacts): BenchRow {
  const subject = summarise(p.label, [{ ops: p.ops, seconds: p.seconds }]);
  const baselineLabel =
    p.baselineLabel ?? `FileEventLog.append of the phase's ${p.events.toLocaleString('en-US')} events, 64 appenders`;
  const baseline = summarise(baselineLabel, [{ ops: p.ops, seconds: p.baselineSeconds }]);
  return {
    case: p.name,
    unit: p.unit,
    subject,
    baseline,
    ratio: subject.perSecond / baseline.perSecond,
    targets: p.targets,
    details: {
      seconds: round2(p.seconds),
      observedSeconds: round2(p.observedSeconds),
      masterCpuCores: p.masterCpuCores,
      simulatorCpuCores: p.simulatorCpuCores,
      driverCpuCores: p.driverCpuCores,
      masterRssMiB: p.masterRssMiB,
      masterHeapUsedMiB: p.masterHeapUsedMiB,
      simulatorsRssMiB: p.simulatorsRssMiB,
      masterEventLoopMaxMs: p.masterEventLoopMaxMs,
      events: p.events,
      http5xx: p.http5xx,
      http503: p.http503,
      ...p.extra,
    },
  };
}

/** The HTTP answers the driver got that count against the envelope. */
class AnswerCounts {
  http5xx = 0;
  http503 = 0;
  firstFailure: string | undefined;
}

/** The driver's requests: 503 retried after Retry-After, other 5xx retried a few times, every one counted. */
async function call<T>(
  http: MasterHttp,
  counts: AnswerCounts,
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  body?: unknown,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const answer = await http.request<T>(method, path, body);
    if (answer.status >= 200 && answer.status < 300) return answer.body;
    const quoted = `${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`;
    if (answer.status < 500) throw new Error(quoted);
    counts.http5xx++;
    if (answer.status === 503) counts.http503++;
    counts.firstFailure ??= quoted;
    if (attempt >= RETRIES_5XX && answer.status !== 503) throw new Error(quoted);
    const retryAfter = Number(answer.headers['retry-after']);
    await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : RETRY_503_MS);
  }
}

class EnvelopeRun {
  private master: BenchMaster | undefined;
  private fleet: SimulatorFleet | undefined;
  private readonly tracker = new EnvelopeTracker();
  private readonly counts = new AnswerCounts();
  private readonly dataDir: string;
  private readonly logDir: string;
  /** Where the tracker has read the log up to (exclusive). */
  private readAt = 0;
  private readonly appIds: string[];
  private readonly restartAppIds: string[];
  private lostAgentIds = new Set<string>();
  private survivorAgentIds = new Set<string>();
  private checks: { description: string; met: boolean }[] = [];

  constructor(
    private readonly ctx: BenchContext,
    private readonly sizes: Sizes,
  ) {
    this.dataDir = ctx.dirs.make('envelope');
    this.logDir = ctx.dirs.make('envelope-logs');
    this.appIds = Array.from(
      { length: sizes.apps },
      (_, i) => `/envelope/g-${Math.floor(i / APPS_PER_GROUP)}/app-${i % APPS_PER_GROUP}`,
    );
    // Every tenth app has a health check and is restarted: spread over the groups.
    const step = Math.max(1, Math.floor(sizes.apps / sizes.restartApps));
    this.restartAppIds = this.appIds.filter((_, i) => i % step === 0).slice(0, sizes.restartApps);
  }

  async start(): Promise<void> {
    this.master = await BenchMaster.start({
      dataDir: this.dataDir,
      agentToken: TOKEN,
      tickMs: TICK_MS,
      seed: 'bench-envelope',
      env: { CAIRN_AGENT_UNREACHABLE_SECONDS: String(this.sizes.unreachableSeconds) },
    });
  }

  failedChecks(): string[] {
    return this.checks.filter((c) => !c.met).map((c) => c.description);
  }

  private check(description: string, met: boolean): TargetCheck {
    this.checks.push({ description, met });
    if (!met) this.ctx.log(`envelope: CHECK FAILED: ${description}`);
    return target(description, !this.ctx.smoke, met);
  }

  private get m(): BenchMaster {
    if (!this.master) throw new Error('no master');
    return this.master;
  }

  private get http(): MasterHttp {
    return this.m.http;
  }

  /** Phase 1: the simulator processes start and every agent holds a command stream. */
  async register(): Promise<PhaseFacts> {
    const { sizes } = this;
    const survivors = sizes.agents - sizes.lostAgents;
    const per = Math.ceil(survivors / sizes.survivorProcesses);
    const request = (prefix: string, count: number, i: number) => ({
      masterUrl: this.m.url,
      count,
      token: TOKEN,
      resources: AGENT_RESOURCES,
      hostnamePrefix: prefix,
      runUpMs: RUN_UP_MS,
      healthyAfterMs: HEALTHY_AFTER_MS,
      seed: `bench-envelope-${i}`,
      readyTimeoutMs: sizes.phaseTimeoutMs,
    });
    return this.phase(
      {
        name: `register ${fmt(sizes.agents)} agents`,
        unit: 'agents/s',
        label: 'agents registered, streams open',
        ops: sizes.agents,
      },
      async () => {
        const startedMs = Date.now();
        const doomed = SimulatorProcess.start('simulator-lost', request('lost', sizes.lostAgents, 0), this.logDir);
        const survivorProcesses: SimulatorProcess[] = [];
        this.fleet = new SimulatorFleet(doomed, survivorProcesses);
        for (let i = 0; i < sizes.survivorProcesses; i++) {
          const count = Math.min(per, survivors - i * per);
          survivorProcesses.push(
            SimulatorProcess.start(`simulator-${i + 1}`, request(`sim${i + 1}`, count, i + 1), this.logDir),
          );
        }
        await Promise.all(this.fleet.all.map((p) => p.ready()));
        this.lostAgentIds = new Set(doomed.agentIds);
        this.survivorAgentIds = new Set(survivorProcesses.flatMap((p) => p.agentIds));
        return { startedMs, end: (w) => w.lastRegisteredAtMs };
      },
      async () => ({ extra: { agentsRegistered: this.tracker.registeredAgents.size }, targets: [] }),
    );
  }

  /** Phase 2: the apps, with 0 instances (a tenth with a health check). */
  async createApps(): Promise<PhaseFacts> {
    const restartApps = new Set(this.restartAppIds);
    return this.phase(
      {
        name: `create ${fmt(this.sizes.apps)} apps`,
        unit: 'apps/s',
        label: `POST /v2/apps, ${CREATES_IN_FLIGHT} in flight`,
        ops: this.sizes.apps,
      },
      async () => {
        const startedMs = Date.now();
        await inFlight(this.appIds, CREATES_IN_FLIGHT, (id) =>
          call(this.http, this.counts, 'POST', '/v2/apps', {
            id,
            cmd: 'sleep 3600',
            ...APP_RESOURCES,
            instances: 0,
            ...(restartApps.has(id) ? { healthChecks: [HEALTH_CHECK] } : {}),
          }),
        );
        return { startedMs, end: (w) => w.lastAppCreatedAtMs };
      },
      async () => ({ extra: {}, targets: [] }),
    );
  }

  /** Phase 3: every app scaled at once (bounded in flight) until every task is RUNNING. */
  async launch(): Promise<PhaseFacts> {
    const { sizes } = this;
    return this.phase(
      {
        name: `launch ${fmt(sizes.tasks)} tasks`,
        unit: 'tasks/s',
        label: `${fmt(sizes.apps)} apps scaled to ${sizes.instancesPerApp} (PUT /v2/apps), to the last RUNNING`,
        ops: sizes.tasks,
      },
      async () => {
        const startedMs = Date.now();
        await inFlight(this.appIds, SCALES_IN_FLIGHT, (id) =>
          call(this.http, this.counts, 'PUT', `/v2/apps${id}?partialUpdate=true&force=true`, {
            instances: sizes.instancesPerApp,
          }),
        );
        await this.until('all tasks RUNNING', (s) => s.running >= sizes.tasks && s.updatesPending === 0);
        return { startedMs, end: (w) => w.lastRunningAtMs };
      },
      async (w) => {
        // The scale deployments of apps with health checks end once their tasks are healthy.
        await this.untilNoDeployment();
        return {
          extra: { launched: w.launched, eventsPerTask: round2(w.events / sizes.tasks) },
          targets: [
            target(
              `≥ ${fmt(TARGET_TASKS_PER_S)} tasks/s (perf.md)`,
              !this.ctx.smoke && sizes.scale >= 1,
              sizes.tasks / this.lastSeconds >= TARGET_TASKS_PER_S,
            ),
            this.check('launch: every task launched once (TaskLaunched = tasks)', w.launched === sizes.tasks),
          ],
        };
      },
    );
  }

  /** Phase 4: POST /v2/apps/{id}/restart of the apps with health checks, until no deployment is left. */
  async rollingRestart(): Promise<PhaseFacts> {
    const { sizes } = this;
    const before = await this.fleet!.stats();
    return this.phase(
      {
        name: `rolling restart of ${fmt(sizes.restartTasks)} tasks in ${fmt(sizes.restartApps)} apps`,
        unit: 'tasks replaced/s',
        label: `POST /v2/apps/{id}/restart (${RESTARTS_IN_FLIGHT} in flight), simulated health, to the last DeploymentFinished`,
        ops: sizes.restartTasks,
      },
      async () => {
        const startedMs = Date.now();
        await inFlight(this.restartAppIds, RESTARTS_IN_FLIGHT, (id) =>
          call(this.http, this.counts, 'POST', `/v2/apps${id}/restart?force=true`, {}),
        );
        await this.until(
          'the old tasks killed and the new ones RUNNING',
          (s) => s.killed - before.killed >= sizes.restartTasks && s.running >= sizes.tasks && s.updatesPending === 0,
        );
        await this.untilNoDeployment();
        return { startedMs, end: (w) => w.lastDeploymentFinishedAtMs };
      },
      async (w) => ({
        extra: {
          launched: w.launched,
          killed: w.ended.get('TASK_KILLED') ?? 0,
          healthChanges: w.types.get('TaskHealthChanged') ?? 0,
          eventsPerReplacedTask: round2(w.events / sizes.restartTasks),
        },
        targets: [
          this.check(
            'rolling restart: each restarted task replaced once',
            w.launched === sizes.restartTasks && (w.ended.get('TASK_KILLED') ?? 0) === sizes.restartTasks,
          ),
        ],
      }),
    );
  }

  /** Phase 5: SIGKILL of the process holding a tenth of the agents, until their tasks run elsewhere. */
  async loseAgents(): Promise<PhaseFacts> {
    const { sizes } = this;
    const fleet = this.fleet!;
    await this.readLog(await this.endOffset(), undefined);
    const toReplace = this.tracker.runningOn(this.lostAgentIds);
    let killedAtMs = 0;
    return this.phase(
      {
        name: `lose ${fmt(sizes.lostAgents)} agents (SIGKILL), replace their tasks`,
        unit: 'tasks replaced/s',
        label: `SIGKILL → AgentUnreachable (after ${sizes.unreachableSeconds} s) → the last replacement RUNNING`,
        ops: Math.max(1, toReplace),
      },
      async () => {
        const startedMs = Date.now();
        await fleet.doomed.kill();
        killedAtMs = Date.now();
        await this.until(
          'the lost tasks replaced and RUNNING',
          (s) => s.running >= sizes.tasks && s.updatesPending === 0,
          fleet.survivors,
        );
        return { startedMs, end: (w) => w.lastRunningAtMs };
      },
      async (w) => {
        const wronglyUnreachable = [...this.tracker.unreachableAgents].filter((a) => !this.lostAgentIds.has(a));
        const missed = [...this.lostAgentIds].filter((a) => !this.tracker.unreachableAgents.has(a));
        return {
          extra: {
            tasksOnLostAgents: toReplace,
            launched: w.launched,
            agentsUnreachable: this.tracker.unreachableAgents.size,
            killToLastUnreachableSeconds: round2((w.lastUnreachableAtMs - killedAtMs) / 1000),
            lastUnreachableToLastRunningSeconds: round2((w.lastRunningAtMs - w.lastUnreachableAtMs) / 1000),
          },
          targets: [
            this.check(
              `lose agents: AgentUnreachable only for the ${sizes.lostAgents} lost agents (wrongly: ${wronglyUnreachable.length}, missed: ${missed.length})`,
              wronglyUnreachable.length === 0 && missed.length === 0,
            ),
            this.check(`lose agents: each of their ${toReplace} tasks replaced once`, w.launched === toReplace),
          ],
        };
      },
    );
  }

  /**
   * Phase 6: the run's checks on the live master, then the simulators closed, the live state hash
   * taken, the master stopped and started again on its log (snapshot + tail): its hash, and the
   * live one, each against `cairn replay --to` the same offset. Timed: the restart to serving,
   * against `cairn replay` of the whole log.
   */
  async restartMaster(): Promise<PhaseFacts> {
    const { sizes } = this;
    const fleet = this.fleet!;
    const targets: TargetCheck[] = [];
    // Checks on the live cluster first.
    const listStarted = performance.now();
    const apps = await call<{ apps: { id: string; instances: number; tasksRunning: number }[] }>(
      this.http,
      this.counts,
      'GET',
      '/v2/apps',
    );
    const appsListMs = Math.round(performance.now() - listStarted);
    const short = apps.apps.filter((a) => a.id.startsWith('/envelope/') && a.tasksRunning !== a.instances);
    const ours = apps.apps.filter((a) => a.id.startsWith('/envelope/')).length;
    const simulators = await fleet.stats(fleet.survivors);
    await this.readLog(await this.endOffset(), undefined);
    this.tracker.endWindow();
    const census = this.tracker.census(this.lostAgentIds);
    const appsShortInLog = this.appIds.filter((id) => (census.runningPerApp.get(id) ?? 0) !== sizes.instancesPerApp);
    const droppedStreams = [...this.tracker.disconnectedAgents].filter((a) => !this.lostAgentIds.has(a)).length;
    const reregistered = simulators.registrations - simulators.agents;
    targets.push(
      this.check(
        `no 5xx/503 answered to the driver (5xx: ${this.counts.http5xx}, 503: ${this.counts.http503})`,
        this.counts.http5xx === 0,
      ),
      this.check(
        `no leader change (LeaderElected: ${this.tracker.leaderElections})`,
        this.tracker.leaderElections === 1,
      ),
      this.check(
        `no agent stream dropped (AgentDisconnected of surviving agents: ${droppedStreams}, re-registrations: ${reregistered})`,
        droppedStreams === 0 && reregistered === 0 && simulators.connected === simulators.agents,
      ),
      this.check(
        `every app with its instances RUNNING (/v2/apps: ${short.length} of ${ours} short; log: ${appsShortInLog.length} short)`,
        short.length === 0 && ours === sizes.apps && appsShortInLog.length === 0,
      ),
      this.check(
        `no lost task (RUNNING in the log ${census.running}, on the simulators ${simulators.running}, wanted ` +
          `${sizes.tasks}; staging ${census.staging}; RUNNING on lost agents ${census.runningOnLostAgents}; ` +
          `status updates dropped ${simulators.updatesDropped}, pending ${simulators.updatesPending}; other ends ${this.tracker.unexpectedEnds.length})`,
        census.running === sizes.tasks &&
          simulators.running === sizes.tasks &&
          census.staging === 0 &&
          census.runningOnLostAgents === 0 &&
          simulators.updatesDropped === 0 &&
          simulators.updatesPending === 0 &&
          this.tracker.unexpectedEnds.length === 0,
      ),
    );

    // The live hash once the log is still (pings write nothing); then the master stops before the
    // agents do, so that nothing is written after the hash (the restarted master has another port:
    // the agents, closed then, never reach it).
    const live = await this.settledHash();
    const liveReplay = await this.replay(live.offset);
    targets.push(
      this.check(
        `live state hash = cairn replay --to ${live.offset} (${live.hash.slice(0, 12)} vs ${liveReplay.hash.slice(0, 12)})`,
        live.hash === liveReplay.hash && liveReplay.offset === live.offset,
      ),
    );
    await this.m.stop();
    this.master = undefined;
    await fleet.close();

    const restartStarted = performance.now();
    this.master = await BenchMaster.start({
      dataDir: this.dataDir,
      agentToken: TOKEN,
      tickMs: TICK_MS,
      seed: 'bench-envelope-restart',
      env: { CAIRN_AGENT_UNREACHABLE_SECONDS: String(RESTART_UNREACHABLE_SECONDS) },
      readyTimeoutMs: sizes.phaseTimeoutMs,
    });
    const restartSeconds = (performance.now() - restartStarted) / 1000;
    const restartCpu = processCpuSeconds(this.m.process.pid);
    const info = await call<{ recovery: unknown; eventLoop: { delayMaxMs: number } }>(
      this.http,
      this.counts,
      'GET',
      '/v1/info',
    );
    const restarted = await this.settledHash();
    const restartedReplay = await this.replay(restarted.offset);
    targets.push(
      this.check(
        `restarted master's state hash = cairn replay --to ${restarted.offset} (${restarted.hash.slice(0, 12)} vs ${restartedReplay.hash.slice(0, 12)})`,
        restarted.hash === restartedReplay.hash && restartedReplay.offset === restarted.offset,
      ),
    );
    // Between the two only what the restart wrote (LeaderElected; the hash leaves out who leads): equal hashes.
    const between = await call<{ events: RecordedEventJson[] }>(
      this.http,
      this.counts,
      'GET',
      `/v1/events?from=${live.offset + 1}&to=${restarted.offset + 1}`,
    );
    const written = between.events.map((e) => e.type);
    if (written.every((type) => type === 'LeaderElected' || type === 'SnapshotWritten')) {
      targets.push(
        this.check(
          `restarted master's state hash = the live one (${restarted.hash.slice(0, 12)} vs ${live.hash.slice(0, 12)}; between: ${written.join(', ') || 'nothing'})`,
          restarted.hash === live.hash,
        ),
      );
    } else {
      this.ctx.log(
        `envelope: the restarted master wrote ${written.join(', ')}: its hash is compared with a replay only`,
      );
    }
    // The whole log folded offline: the baseline of this row.
    const full = await this.replay(undefined);
    const memory = await this.masterMemory();
    return {
      name: `master restart on the run's log (${fmt(full.offset + 1)} events)`,
      unit: 'events/s',
      label: 'cairn master restarted on the log (snapshot + tail) until it answers',
      baselineLabel: '`cairn replay` of the whole log (a fresh fold, no snapshot)',
      ops: full.offset + 1,
      seconds: restartSeconds,
      observedSeconds: restartSeconds,
      masterCpuCores: round2(restartCpu / restartSeconds),
      simulatorCpuCores: 0,
      driverCpuCores: 0,
      masterRssMiB: memory.rssMiB,
      masterHeapUsedMiB: memory.heapUsedMiB,
      simulatorsRssMiB: 0,
      masterEventLoopMaxMs: info.eventLoop.delayMaxMs,
      events: full.offset + 1,
      baselineSeconds: full.seconds,
      http5xx: this.counts.http5xx,
      http503: this.counts.http503,
      extra: {
        recovery: JSON.stringify(info.recovery),
        replaySeconds: round2(full.seconds),
        replayEvents: full.events,
        appsListMs,
        liveHash: live.hash.slice(0, 16),
        liveHashOffset: live.offset,
        restartedHashOffset: restarted.offset,
        ...(this.counts.firstFailure ? { firstHttpFailure: this.counts.firstFailure } : {}),
      },
      targets,
    };
  }

  /** Copies the master's and simulators' logs out of the run's temp dirs; returns where. */
  keepLogs(): string {
    const kept = join(tmpdir(), `cairn-envelope-logs-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    cpSync(this.logDir, kept, { recursive: true });
    cpSync(join(this.dataDir, 'master.log'), join(kept, 'master.log')); // beside its event log
    this.ctx.log(`envelope: logs kept in ${kept}`);
    return kept;
  }

  /** Stops whatever still runs: simulators first (their agents' streams), then the master. */
  async close(): Promise<void> {
    const errors: unknown[] = [];
    await this.fleet?.close().catch((e: unknown) => errors.push(e));
    await this.master?.stop().catch((e: unknown) => errors.push(e));
    this.master = undefined;
    if (errors.length > 0) this.ctx.log(`envelope: cleanup: ${errors.map((e) => (e as Error).message).join('; ')}`);
  }

  private lastSeconds = 1;

  /**
   * Runs one phase: CPU and log offsets around `body` (which returns when the phase is done, and how
   * to find its end in the log), then reads the phase's events (tracker and baseline records),
   * the master's memory, and appends the same events to a fresh log as the baseline.
   */
  private async phase(
    what: { name: string; unit: string; label: string; ops: number },
    body: () => Promise<{ startedMs: number; end: (w: TrackerWindow) => number }>,
    after: (w: TrackerWindow) => Promise<{ extra: Record<string, number | string>; targets: TargetCheck[] }>,
  ): Promise<PhaseFacts> {
    const from = await this.endOffset();
    await this.readLog(from, undefined);
    this.tracker.endWindow();
    const counts = { http5xx: this.counts.http5xx, http503: this.counts.http503 };
    const masterCpu = processCpuSeconds(this.m.process.pid);
    const simulatorCpu = this.fleet?.cpuSeconds() ?? 0;
    const driverCpu = ownCpuSeconds();
    const started = performance.now();
    this.ctx.log(`envelope: ${what.name}…`);
    const { startedMs, end } = await body();
    const observedSeconds = (performance.now() - started) / 1000;
    const masterCpuCores = round2((processCpuSeconds(this.m.process.pid) - masterCpu) / observedSeconds);
    // The simulators started inside the first phase: their CPU counts from their start.
    const simulatorCpuCores = round2(((this.fleet?.cpuSeconds() ?? 0) - simulatorCpu) / observedSeconds);
    const driverCpuCores = round2((ownCpuSeconds() - driverCpu) / observedSeconds);
    const memory = await this.masterMemory();
    const info = await call<{ eventLoop: { delayMaxMs: number } }>(this.http, this.counts, 'GET', '/v1/info');
    const to = await this.endOffset();
    const records: AppendRecord[] = [];
    await this.readLog(to, records);
    const window = this.tracker.endWindow();
    const endMs = end(window);
    if (!Number.isFinite(endMs)) throw new Error(`${what.name}: its last event is not in the log`);
    const seconds = Math.max(0.001, (endMs - startedMs) / 1000);
    this.lastSeconds = seconds;
    const baseline = await appendWithGroupCommit(this.ctx.dirs.make('envelope-baseline'), records);
    records.length = 0;
    const { extra, targets } = await after(window);
    return {
      ...what,
      seconds,
      observedSeconds,
      masterCpuCores,
      simulatorCpuCores,
      driverCpuCores,
      masterRssMiB: memory.rssMiB,
      masterHeapUsedMiB: memory.heapUsedMiB,
      simulatorsRssMiB: this.simulatorsRssMiB(),
      masterEventLoopMaxMs: info.eventLoop.delayMaxMs,
      events: window.events,
      baselineSeconds: baseline.seconds,
      http5xx: this.counts.http5xx - counts.http5xx,
      http503: this.counts.http503 - counts.http503,
      extra,
      targets,
    };
  }

  /** Reads the log through /v1/events from where the tracker is up to `to`; keeps the records when asked. */
  private async readLog(to: number, records: AppendRecord[] | undefined): Promise<void> {
    while (this.readAt < to) {
      const page = await call<{ events: RecordedEventJson[]; next: number }>(
        this.http,
        this.counts,
        'GET',
        `/v1/events?from=${this.readAt}&to=${to}`,
      );
      for (const event of page.events) this.tracker.accept(event);
      if (records) records.push(...reencode(page.events));
      if (page.next <= this.readAt) throw new Error(`/v1/events?from=${this.readAt} made no progress`);
      this.readAt = page.next;
    }
  }

  private async endOffset(): Promise<number> {
    const info = await call<{ endOffset: number }>(this.http, this.counts, 'GET', '/v1/info');
    return info.endOffset;
  }

  /** Polls the simulators (IPC: no cost to the master) until `done`. */
  private async until(
    what: string,
    done: (stats: SimulatedAgentsStats) => boolean,
    of?: readonly SimulatorProcess[],
  ): Promise<void> {
    const fleet = this.fleet!;
    const deadline = Date.now() + this.sizes.phaseTimeoutMs;
    let nextProgress = Date.now() + PROGRESS_EVERY_MS;
    for (;;) {
      const failure = fleet.failure() ?? this.masterExited();
      if (failure) throw failure;
      const stats = await fleet.stats(of);
      if (done(stats)) return;
      const describe = () =>
        `running ${stats.running}, launched ${stats.launched}, killed ${stats.killed}, acked ${stats.updatesAcked}, ` +
        `pending ${stats.updatesPending}, connected ${stats.connected}/${stats.agents}, registrations ${stats.registrations}`;
      if (Date.now() > deadline) throw new Error(`${what}: not within ${this.sizes.phaseTimeoutMs} ms (${describe()})`);
      if (Date.now() > nextProgress) {
        this.ctx.log(`envelope:   waiting for ${what}: ${describe()}`);
        nextProgress = Date.now() + PROGRESS_EVERY_MS;
      }
      await sleep(POLL_MS);
    }
  }

  private async untilNoDeployment(): Promise<void> {
    const deadline = Date.now() + this.sizes.phaseTimeoutMs;
    for (;;) {
      const list = await call<unknown[]>(this.http, this.counts, 'GET', '/v2/deployments');
      if (list.length === 0) return;
      const failure = this.masterExited();
      if (failure) throw failure;
      if (Date.now() > deadline)
        throw new Error(`${list.length} deployments not finished within ${this.sizes.phaseTimeoutMs} ms`);
      await sleep(DEPLOYMENT_POLL_MS);
    }
  }

  private masterExited(): Error | undefined {
    const status = this.m.process.exitStatus();
    return status
      ? new Error(`the master exited (${status.code ?? status.signal})\n${this.m.process.logTail()}`)
      : undefined;
  }

  /** The state hash once the log has stopped moving (the hash and its offset agree). */
  private async settledHash(): Promise<{ hash: string; offset: number }> {
    const deadline = Date.now() + 60_000;
    let previous = -2;
    for (;;) {
      const end = await this.endOffset();
      if (end === previous) {
        const hash = await call<{ hash: string; offset: number }>(this.http, this.counts, 'GET', '/v1/state/hash');
        if (hash.offset === end - 1) return hash;
      }
      if (Date.now() > deadline) throw new Error('the log did not settle within 60 s');
      previous = end;
      await sleep(500);
    }
  }

  /** `cairn replay --json [--to offset]` over the run's data dir (read-only, beside the master). */
  private replay(to: number | undefined): Promise<{ hash: string; offset: number; events: number; seconds: number }> {
    const args = [builtCli(), 'replay', '--json', ...(to === undefined ? [] : ['--to', String(to)])];
    const started = performance.now();
    return new Promise((resolve, reject) => {
      execFile(
        process.execPath,
        args,
        {
          encoding: 'utf8',
          env: { ...process.env, CAIRN_LOG: 'file', CAIRN_DATA_DIR: this.dataDir, CAIRN_LOG_LEVEL: 'warn' },
          maxBuffer: 16 * 1024 * 1024,
          timeout: this.sizes.phaseTimeoutMs,
        },
        (error, stdout, stderr) => {
          if (error) return reject(new Error(`cairn replay failed: ${error.message}\n${stderr.slice(-2000)}`));
          const seconds = (performance.now() - started) / 1000;
          resolve({ ...(JSON.parse(stdout) as { hash: string; offset: number; events: number }), seconds });
        },
      );
    });
  }

  private async masterMemory(): Promise<{ rssMiB: number; heapUsedMiB: number }> {
    const rssMiB = rssOf(this.m.process.pid);
    const text = await call<string>(this.http, this.counts, 'GET', '/metrics/prometheus');
    const match = /^nodejs_heap_size_used_bytes(?:\{[^}]*\})?\s+([0-9.e+]+)/m.exec(String(text));
    return { rssMiB, heapUsedMiB: match ? Math.round(Number(match[1]) / 2 ** 20) : -1 };
  }

  private simulatorsRssMiB(): number {
    return (this.fleet?.alive() ?? []).reduce((sum, p) => sum + rssOf(p.pid), 0);
  }
}

function rssOf(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round(Number(match[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

/** Runs `fn` over `items`, at most `n` at a time. */
async function inFlight<T>(items: readonly T[], n: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}

function resourceText(r: typeof SIMULATED_AGENT_RESOURCES): string {
  return `cpus:${r.cpus};mem:${r.mem};disk:${r.disk};ports:[${r.ports.map(([b, e]) => `${b}-${e}`).join(',')}]`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}
