import fc from 'fast-check';
import { SeededIdSource } from '@cairn/common/ids';
import type { LogRecord } from '@cairn/eventlog';
import { CairnEvent, catalogue, encodeEvent, TaskState } from '@cairn/events';
import { CommandRejected, envelopeCause, EventDraft } from '../command';
import { Command, decide, evolve } from '../decider';
import { ClusterState, initialState } from '../state';
import { iso, meta, stateJson, T0 } from './decider-spec';
import { anAgent, AgentBuilder, appBody } from './cluster-builders';
import { connectedAgents } from './cluster-scenario';

/**
 * Random cluster runs for the scheduling properties: agents register, disconnect and come back,
 * apps are created, scaled, changed and deleted, ticks run allocation passes, and agents report
 * statuses (also wrong, duplicated and unknown ones). A step is drawn without knowing the state
 * and resolved against the live state when it runs (a status report picks one of the tasks that
 * exist then), so every run stays meaningful however the earlier steps went.
 */

export const APP_IDS = ['/web', '/api', '/prod/db'] as const;
export const AGENT_UNREACHABLE_MS = 60_000;
const MAX_STEP_MS = 90_000;

/** Agents keep their resources across re-registrations (a resized agent is another property). */
export const AGENTS: readonly AgentBuilder[] = [
  anAgent('a0').withResources('cpus:2;mem:1024;disk:100;ports:[31000-31004]'),
  anAgent('a1').withResources('cpus:4;mem:2048;disk:200;ports:[31000-31009]'),
  anAgent('a2').withResources('cpus:1.5;mem:512;ports:[32000-32002]').withCapabilities(['MESOS', 'DOCKER']),
];

const tenths = (min: number, max: number) => fc.integer({ min: min * 10, max: max * 10 }).map((n) => n / 10);

/** App fields that the scheduler acts on, ports and containers included (a2 runs DOCKER). */
export const appFields = (options: { maxCpus?: number; maxInstances?: number } = {}) =>
  fc
    .record(
      {
        cpus: tenths(0.1, options.maxCpus ?? 2),
        mem: fc.integer({ min: 16, max: 512 }),
        disk: fc.integer({ min: 0, max: 50 }),
        instances: fc.integer({ min: 0, max: options.maxInstances ?? 7 }),
        killSelection: fc.constantFrom('YOUNGEST_FIRST', 'OLDEST_FIRST'),
        backoffSeconds: fc.integer({ min: 0, max: 3 }),
        backoffFactor: fc.constantFrom(1, 1.15, 2),
        maxLaunchDelaySeconds: fc.integer({ min: 0, max: 20 }),
        env: fc.dictionary(fc.constantFrom('A', 'B'), fc.constantFrom('1', '2'), { maxKeys: 2 }),
        ports: fc.oneof(
          fc.constant({}),
          fc
            .integer({ min: 0, max: 2 })
            .map((n) => ({ portDefinitions: Array.from({ length: n }, () => ({ port: 0 })) })),
          fc.constant({ requirePorts: true, portDefinitions: [{ port: 31003 }] }),
          fc.constant({ requirePorts: true, portDefinitions: [{ port: 0 }, { port: 31003 }] }),
          fc.constant({ container: { type: 'DOCKER', docker: { image: 'nginx' } } }),
          // Not drawn yet: a container app without cmd or args on a DOCKER agent (a2) launches with an
          // empty command the codec refuses; see tick.decider.spec.ts, "Tick: ports and commands".
        ),
      },
      { requiredKeys: ['cpus', 'mem', 'instances'] },
    )
    .map(({ ports, ...fields }) => ({ ...fields, ...ports }));

export type Step =
  | { readonly kind: 'register'; readonly agent: number; readonly drop: number; readonly stray: boolean }
  | { readonly kind: 'disconnect'; readonly agent: number }
  | { readonly kind: 'create'; readonly app: number; readonly fields: Record<string, unknown> }
  | { readonly kind: 'scale'; readonly app: number; readonly instances: number }
  | { readonly kind: 'change'; readonly app: number; readonly fields: Record<string, unknown> }
  | { readonly kind: 'delete'; readonly app: number }
  | { readonly kind: 'tick' }
  | { readonly kind: 'drain'; readonly agent: number; readonly deadlineSeconds: number | null; readonly force: boolean }
  | { readonly kind: 'reactivate'; readonly agent: number }
  | {
      readonly kind: 'status';
      readonly pick: number;
      readonly state: TaskState;
      readonly twist: 'none' | 'duplicate' | 'wrong-agent';
    };

const agentIndex = fc.integer({ min: 0, max: AGENTS.length - 1 });
const appIndex = fc.integer({ min: 0, max: APP_IDS.length - 1 });
const reportedState = fc.constantFrom<TaskState>(
  'TASK_STARTING',
  'TASK_RUNNING',
  'TASK_RUNNING',
  'TASK_RUNNING',
  'TASK_FAILED',
  'TASK_FINISHED',
  'TASK_KILLED',
  'TASK_LOST',
);

/** `drains`: also agent drains and reactivations (the run must start at cluster version 3: runSteps). */
export interface StepOptions {
  readonly disconnects?: boolean;
  readonly maxInstances?: number;
  readonly drains?: boolean;
}

export const step = (options: StepOptions = {}): fc.Arbitrary<Step> =>
  fc.oneof(
    {
      arbitrary: fc.record({
        kind: fc.constant('register' as const),
        agent: agentIndex,
        drop: fc.nat(),
        stray: fc.boolean(),
      }),
      weight: 2,
    },
    {
      arbitrary: fc.record({ kind: fc.constant('disconnect' as const), agent: agentIndex }),
      weight: options.disconnects === false ? 0 : 1,
    },
    {
      arbitrary: fc.record({ kind: fc.constant('create' as const), app: appIndex, fields: appFields(options) }),
      weight: 2,
    },
    {
      arbitrary: fc.record({
        kind: fc.constant('scale' as const),
        app: appIndex,
        instances: fc.integer({ min: 0, max: options.maxInstances ?? 7 }),
      }),
      weight: 2,
    },
    {
      arbitrary: fc.record({ kind: fc.constant('change' as const), app: appIndex, fields: appFields(options) }),
      weight: 1,
    },
    { arbitrary: fc.record({ kind: fc.constant('delete' as const), app: appIndex }), weight: 1 },
    { arbitrary: fc.constant({ kind: 'tick' as const }), weight: 4 },
    {
      arbitrary: fc.record({
        kind: fc.constant('status' as const),
        pick: fc.nat(),
        state: reportedState,
        twist: fc.constantFrom('none', 'none', 'none', 'duplicate', 'wrong-agent'),
      }),
      weight: 4,
    },
    {
      arbitrary: fc.record({
        kind: fc.constant('drain' as const),
        agent: agentIndex,
        deadlineSeconds: fc.option(fc.integer({ min: 0, max: 600 })),
        force: fc.boolean(),
      }),
      weight: options.drains ? 1 : 0,
    },
    {
      arbitrary: fc.record({ kind: fc.constant('reactivate' as const), agent: agentIndex }),
      weight: options.drains ? 1 : 0,
    },
  );

/**
 * Steps at non-decreasing times (several may share a millisecond). A prelude registers some
 * agents and creates some apps first, so that most runs launch tasks and then exercise what
 * follows a launch (statuses, kills, losses) rather than refusals of commands on nothing.
 */
export const stepRun = (options: StepOptions & { maxLength?: number } = {}) =>
  fc
    .tuple(
      fc.subarray([0, 1, 2], { minLength: 1 }),
      fc.array(fc.record({ app: appIndex, fields: appFields(options) }), { minLength: 1, maxLength: 3 }),
      fc.array(fc.tuple(step(options), fc.integer({ min: 0, max: MAX_STEP_MS })), {
        minLength: 5,
        maxLength: options.maxLength ?? 60,
        size: 'medium',
      }),
    )
    .map(([agents, apps, rest]): [Step, number][] => [
      ...agents.map((agent): [Step, number] => [{ kind: 'register', agent, drop: 0, stray: false }, 0]),
      ...apps.map(({ app, fields }): [Step, number] => [{ kind: 'create', app, fields }, 0]),
      ...rest,
    ]);

/**
 * `checkPurity`: also check that decide leaves the state it decides on untouched (two canonical
 * serialisations of the whole state per step: most of a run's time, so only where asked).
 * `afterEvent`: sees the live state after each event is evolved into it.
 */
export interface LiveClusterOptions {
  readonly checkPurity?: boolean;
  readonly afterEvent?: (state: ClusterState, event: CairnEvent) => void;
}

/**
 * The leader's loop: decide on the live state, wrap each draft in the sequencer's envelope,
 * encode it with the real codec (an invalid event throws, as the append would) and evolve.
 */
export class LiveCluster {
  readonly live: ClusterState = initialState();
  readonly log: LogRecord[] = [];
  /** Every decision, with the agents' statuses it was decided on. */
  readonly decided: { command: Command; events: EventDraft[]; agentStatusBefore: Map<string, string> }[] = [];
  now = T0;
  private readonly ids = new SeededIdSource('property');
  private ticks = 0;
  private updates = 0;
  /** Command ids are unique, as the master's are (a deployment's id is its command's). */
  private commands = 0;
  private readonly appliedUpdates: { taskId: string; agentId: string; updateId: string }[] = [];

  constructor(private readonly options: LiveClusterOptions = {}) {}

  /** Runs one step at `now`; returns the command it became (null when the step had no target). */
  step(s: Step): Command | null {
    const command = this.commandFor(s);
    if (command) this.execute(command);
    return command;
  }

  execute(command: Command): EventDraft[] {
    const before = this.options.checkPurity ? stateJson(this.live) : '';
    const agentStatusBefore = new Map([...this.live.agents.values()].map((a) => [a.agentId, a.status as string]));
    let drafts: EventDraft[];
    try {
      drafts = decide(command, this.live);
    } catch (error) {
      if (!(error instanceof CommandRejected)) throw error;
      drafts = [];
    }
    if (this.options.checkPurity && stateJson(this.live) !== before)
      throw new Error(`decide changed the state deciding ${command.kind}`);
    const decided = new Map<EventDraft, CairnEvent>();
    for (const draft of drafts) {
      const event = this.envelope(draft, command, decided);
      decided.set(draft, event);
      this.log.push({ ...encodeEvent(event), offset: this.log.length });
      evolve(this.live, event);
      this.options.afterEvent?.(this.live, event);
      if (draft.type === 'TaskStatusUpdated' && draft.data.updateId !== null) {
        this.appliedUpdates.push({
          taskId: draft.data.taskId,
          agentId: draft.data.agentId,
          updateId: draft.data.updateId,
        });
      }
    }
    this.decided.push({ command, events: drafts, agentStatusBefore });
    return drafts;
  }

  tick(): EventDraft[] {
    return this.execute(this.tickCommand());
  }

  report(taskId: string, agentId: string, state: TaskState, updateId = `update-${++this.updates}`): EventDraft[] {
    return this.execute({
      kind: 'ReportTaskStatus',
      agentId,
      taskId,
      state,
      updateId,
      reason: null,
      message: null,
      exitCode: state === 'TASK_FAILED' ? 1 : null,
      meta: meta(this.now),
    });
  }

  /** A tick with a fresh seed, from a master leading since T0 with the ACTIVE agents connected. */
  private tickCommand(): Command {
    this.ticks++;
    return {
      kind: 'Tick',
      seed: `tick-${this.ticks}`,
      agentUnreachableMs: AGENT_UNREACHABLE_MS,
      connectedAgentIds: connectedAgents(this.live),
      leaderSinceMs: T0,
      meta: meta(this.now, `cmd-tick-${this.ticks}`),
    };
  }

  private commandFor(s: Step): Command | null {
    const m = meta(this.now, `cmd-${++this.commands}`);
    switch (s.kind) {
      case 'register': {
        const agent = AGENTS[s.agent];
        const known = this.live.agents.has(agent.agentId);
        const running = [...this.live.tasks.values()].filter((t) => t.agentId === agent.agentId);
        // The agent lost some of its tasks (drop picks which), and may run one the log never saw.
        const kept = running.filter((_, i) => Math.floor(s.drop / 2 ** i) % 2 === 0);
        const tasks = kept.map((t) => ({ taskId: t.taskId, state: 'TASK_RUNNING' as TaskState }));
        if (s.stray) tasks.push({ taskId: `web.stray-${this.now}`, state: 'TASK_RUNNING' });
        return known ? agent.reregister(tasks, { now: this.now }) : agent.register({ now: this.now, tasks });
      }
      case 'disconnect':
        return { kind: 'DisconnectAgent', agentId: AGENTS[s.agent].agentId, meta: m };
      case 'create':
        return { kind: 'CreateApp', force: true, app: appBody(APP_IDS[s.app], s.fields), meta: m };
      case 'scale':
        return {
          kind: 'UpdateApp',
          force: true,
          appId: APP_IDS[s.app],
          body: { instances: s.instances },
          partial: true,
          meta: m,
        };
      case 'change':
        return {
          kind: 'UpdateApp',
          force: true,
          appId: APP_IDS[s.app],
          body: appBody(APP_IDS[s.app], s.fields),
          partial: false,
          meta: m,
        };
      case 'delete':
        return { kind: 'DeleteApp', force: true, appId: APP_IDS[s.app], meta: m };
      case 'tick':
        return this.tickCommand();
      case 'drain':
        return {
          kind: 'DrainAgent',
          agentId: AGENTS[s.agent].agentId,
          deadlineSeconds: s.deadlineSeconds,
          force: s.force,
          meta: m,
        };
      case 'reactivate':
        return { kind: 'ReactivateAgent', agentId: AGENTS[s.agent].agentId, meta: m };
      case 'status': {
        if (s.twist === 'duplicate' && this.appliedUpdates.length > 0) {
          const again = this.appliedUpdates[s.pick % this.appliedUpdates.length];
          return statusCommand(again.taskId, again.agentId, s.state, again.updateId, this.now);
        }
        const tasks = [...this.live.tasks.values()];
        if (tasks.length === 0) return null;
        const task = tasks[s.pick % tasks.length];
        const agentId = s.twist === 'wrong-agent' ? otherAgent(task.agentId) : task.agentId;
        return statusCommand(task.taskId, agentId, s.state, `update-${++this.updates}`, this.now);
      }
      default: {
        const _exhaustive: never = s;
        return _exhaustive;
      }
    }
  }

  private envelope(draft: EventDraft, command: Command, decided: ReadonlyMap<EventDraft, CairnEvent>): CairnEvent {
    return {
      ...envelopeCause(draft, command.meta, decided),
      id: this.ids.uuid(),
      type: draft.type,
      v: catalogue[draft.type].current,
      at: iso(command.meta.now),
      actor: command.meta.actor,
      data: draft.data,
    } as CairnEvent;
  }
}

function statusCommand(taskId: string, agentId: string, state: TaskState, updateId: string, now: number): Command {
  return {
    kind: 'ReportTaskStatus',
    agentId,
    taskId,
    state,
    updateId,
    reason: null,
    message: null,
    exitCode: null,
    meta: meta(now),
  };
}

function otherAgent(agentId: string): string {
  const index = AGENTS.findIndex((a) => a.agentId === agentId);
  return AGENTS[(index + 1) % AGENTS.length].agentId;
}

/** Runs the steps, advancing the clock by each step's delay; `check` sees the state after each. */
export function runSteps(
  steps: readonly (readonly [Step, number])[],
  check: (cluster: LiveCluster, command: Command, events: EventDraft[]) => void = () => undefined,
  options: LiveClusterOptions & { clusterVersion?: number } = {},
): LiveCluster {
  const cluster = new LiveCluster(options);
  if (options.clusterVersion !== undefined) {
    cluster.execute({
      kind: 'RaiseClusterVersion',
      version: options.clusterVersion,
      instance: 'm:8080',
      meta: meta(T0),
    });
  }
  for (const [s, delayMs] of steps) {
    cluster.now += delayMs;
    const command = cluster.step(s);
    if (command) check(cluster, command, cluster.decided[cluster.decided.length - 1].events);
  }
  return cluster;
}
