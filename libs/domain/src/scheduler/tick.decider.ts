import { isoTime } from '@cairn/common/iso-time';
import { SeededIdSource } from '@cairn/common/ids';
import type { AppDefinition, OffersMadeData, TaskLaunchedData } from '@cairn/events';
import { allocations, AgentSlot, holdsMinOffer, MinOffer, OfferDraft } from '../allocator';
import { Cause, causedBy, draft, EventDraft, ROOT } from '../command';
import { funnelReason, MAX_INSTANCES_PER_OFFER, placeTasks, QueuedLaunch, NoMatchReason } from '../placement';
import type { AgentFacts } from '../constraints';
import { EMPTY_RESOURCES, type Resources } from '../resources';
import {
  countsAsInstance,
  type AgentRecord,
  type ClusterState,
  type EventRef,
  type LaunchDelay,
  type TaskRecord,
} from '../state';
import { failureBackoff } from '../tasks/backoff';
import { SUPPORTED_CAPABILITIES } from '../agents/agent.decider';
import { endsTask, taskIdFor, uniqueTaskUuid } from '../tasks/task-states';
import { launchQueueInAnyOrder, QueuedApp } from './launch-queue';
import type { Tick } from './scheduler.commands';
import {
  advanceDeployments,
  deploymentDemand,
  DeploymentLaunches,
  groupTasksByApp,
  launchesOf,
} from '../deployments/deployment.decider';
import type { DeploymentStep } from '../deployments/plan';
import { healthCheckSpecs, readinessCheckSpecs } from '../tasks/check-specs';
import { fetchSpecs } from '../tasks/fetch-specs';
import { drainTick } from '../agents/drain.decider';

/** The built-in app scheduler is one framework; others (a test framework, jobs) come beside it. */
export const APPS_FRAMEWORK_ID = 'cairn-apps';
/** How long an agent whose offer was declined is not offered to the framework again (unless it revives). */
export const DECLINE_REFUSE_MS = 120_000;

/**
 * Offers one allocation pass makes at most. With MAX_INSTANCES_PER_OFFER launches per offer this
 * bounds one decision to LAUNCHES_PER_DECISION_MAX launches: a burst of 10,000 tasks on 5,000
 * agents is placed over many ticks, each inside the stall budget (SYNC_WORK_BUDGET_MS, 50 ms),
 * instead of in one pass that answers 5,000 offers against every waiting app. Agents not offered
 * wait for the next pass. Sized from a measurement (2026-12-07, 200,000 tasks in the state, a
 * loaded 2-core machine): a launch costs its batch ~25 µs to decide, ~60-110 µs to encode and
 * ~50 µs to evolve into the batch's fork, then ~50 µs to apply: 5,000 launches held the event
 * loop over a second (the earlier bound, 1,000 offers), 500 about 100 ms.
 */
export const OFFERS_PER_TICK_MAX = 100;
export const LAUNCHES_PER_DECISION_MAX = OFFERS_PER_TICK_MAX * MAX_INSTANCES_PER_OFFER;
/**
 * Offers a pass may make beyond one per waiting task, while it searches: agents that turn out not
 * to fit (resources, constraints) are declined and filtered, so the next pass offers the next
 * ones. A pass stops making offers once every waiting task is placed: one task on an idle cluster
 * costs one offer; one that fits nowhere costs a pass ~100 declines, not 5,000.
 */
export const OFFERS_BEYOND_DEMAND = 100;
/**
 * Lost agents and their tasks one tick ends or marks unreachable, at most (an agent counts as one,
 * so thousands of agents without tasks are bounded too): past it the remaining overdue agents wait
 * for the next tick (each agent's tasks go with it in one decision). Losing 500 agents
 * of 40 tasks each was one decision of 20,000 events that kept the event loop busy for 1.3 s (the
 * envelope's lost-agents phase: its append, its projection and their garbage); ending a task costs
 * its batch ~65 µs there, so 1,000 keep a tick near the stall budget. A tick that ends tasks
 * wakes the next at once (SchedulerWakeupEffect), so a large loss is handled over back-to-back ticks.
 */
export const UNREACHABLE_TASKS_PER_TICK_MAX = 1_000;

export function decideTick(command: Tick, state: ClusterState): EventDraft[] {
  const now = command.meta.now;
  const ids = new SeededIdSource(command.seed);
  const lost = unreachableAgents(command, state);
  // Tasks this tick already ends (their agent is unreachable): nothing else decides about them now.
  const touched = new Set(
    lost.flatMap((e) => (e.type.startsWith('Task') ? [(e.data as { taskId: string }).taskId] : [])),
  );
  const expired = unreachableTimers(command, state, touched);
  const changed = [...lost, ...expired];
  const ended = new Set(
    changed.flatMap((e) =>
      e.type === 'TaskStatusUpdated' || e.type === 'TaskUnreachableInactive' ? [e.data.taskId] : [],
    ),
  );
  const timedOut = launchTimeouts(command, state, ended);
  // Kills already decided above are not decided twice: the launch timeout's go first.
  const timedOutIds = new Set(timedOut.flatMap((e) => (e.type === 'TaskKillRequested' ? [e.data.taskId] : [])));
  const drains = drainTick(state, now, ended).filter(
    (e) => e.type !== 'TaskKillRequested' || !timedOutIds.has(e.data.taskId),
  );
  if (state.deployments.size === 0) {
    return [...changed, ...timedOut, ...drains, ...allocationPass(state, now, ids, new Map())];
  }
  const tasksByApp = groupTasksByApp(state, ended);
  const demand = deploymentDemand(state, tasksByApp);
  const launches = launchesOf(demand);
  // Tasks the drain deadline kills now are not the deployment's to kill again in the same tick.
  const drainKilled = new Set(drains.flatMap((e) => (e.type === 'TaskKillRequested' ? [e.data.taskId] : [])));
  const advanced = advanceDeployments(state, demand).filter(
    (e) => e.type !== 'TaskKillRequested' || !drainKilled.has(e.data.taskId),
  );
  return [...changed, ...timedOut, ...drains, ...advanced, ...allocationPass(state, now, ids, launches)];
}

/**
 * Agents disconnected for longer than the timeout: unreachable. Each of their tasks is ended at
 * once (TASK_UNREACHABLE, replaced) or, when its app's `unreachableStrategy` keeps it, marked
 * TaskUnreachable: it counts until inactive and is expunged later (see unreachableTimers).
 */
function unreachableAgents(command: Tick, state: ClusterState): EventDraft[] {
  const events: EventDraft[] = [];
  // ACTIVE agents are read only when one may be overdue (see activeMayBeOverdue); otherwise
  // only those that are not ACTIVE, not all 5,000.
  const connected = activeMayBeOverdue(command, state);
  const candidates = connected ? state.agents.values() : state.agents.notActive();
  let lostDecided = 0;
  for (const agent of candidates) {
    if (lostDecided >= UNREACHABLE_TASKS_PER_TICK_MAX) break; // the next tick takes the others
    if (!isOverdue(agent, connected ?? NONE_CONNECTED, command)) continue;
    // A timeout starts a chain: the agent's tasks are lost because of it.
    const lost = draft('AgentUnreachable', { agentId: agent.agentId }, ROOT);
    lostDecided++;
    events.push(lost);
    const message = `agent ${agent.hostname} stayed away for ${command.agentUnreachableMs} ms`;
    for (const task of state.tasks.onAgent(agent.agentId)) {
      if (task.unreachable) continue;
      lostDecided++;
      const timers = task.killRequested ? null : unreachableTimersOf(state.apps.get(task.appId));
      if (timers === null) {
        events.push(unreachableStatus(task, message, { draft: lost }));
        continue;
      }
      const kept = draft(
        'TaskUnreachable',
        { taskId: task.taskId, agentId: task.agentId, message, ...timers },
        {
          draft: lost,
        },
      );
      events.push(kept);
      if (timers.inactiveAfterSeconds === 0) {
        events.push(draft('TaskUnreachableInactive', { taskId: task.taskId, agentId: task.agentId }, { draft: kept }));
      }
    }
  }
  return events;
}

/**
 * The timers of an app's `unreachableStrategy`, or null when its tasks end at once (Marathon's
 * default {0, 0}, or an app that is gone). "disabled": kept, never inactive, never expunged.
 */
function unreachableTimersOf(
  app: AppDefinition | undefined,
): { inactiveAfterSeconds: number | null; expungeAfterSeconds: number | null } | null {
  const strategy = app?.unreachableStrategy as unknown;
  if (strategy === 'disabled') return { inactiveAfterSeconds: null, expungeAfterSeconds: null };
  if (typeof strategy !== 'object' || strategy === null) return null;
  const { inactiveAfterSeconds = 0, expungeAfterSeconds = 0 } = strategy as {
    inactiveAfterSeconds?: number;
    expungeAfterSeconds?: number;
  };
  if (expungeAfterSeconds <= 0) return null;
  return { inactiveAfterSeconds, expungeAfterSeconds };
}

/** The master's TASK_UNREACHABLE: the task ends (it is expunged; its app replaces it if it wants it). */
function unreachableStatus(task: TaskRecord, message: string, cause: Cause): EventDraft {
  return draft(
    'TaskStatusUpdated',
    {
      taskId: task.taskId,
      agentId: task.agentId,
      state: 'TASK_UNREACHABLE',
      updateId: null,
      reason: 'REASON_AGENT_UNREACHABLE',
      message,
      exitCode: null,
    },
    cause,
  );
}

/**
 * The strategy's timers of tasks kept unreachable: after `inactiveAfterSeconds` a task stops
 * counting (TaskUnreachableInactive: its replacement launches), after `expungeAfterSeconds` it is
 * expunged (TASK_UNREACHABLE ends it; if it comes back its agent is told to kill it).
 */
function unreachableTimers(command: Tick, state: ClusterState, except: ReadonlySet<string>): EventDraft[] {
  const kept = state.tasks.unreachable();
  if (kept.length === 0) return [];
  if (state.agents.activeCount === state.agents.size) return []; // kept tasks live only on agents that are not active
  const now = command.meta.now;
  const events: EventDraft[] = [];
  for (const task of kept) {
    const unreachable = task.unreachable!;
    if (except.has(task.taskId)) continue;
    const away = now - Date.parse(unreachable.since);
    const { inactiveAfterSeconds: inactive, expungeAfterSeconds: expunge } = unreachable;
    if (expunge !== null && away >= expunge * 1000) {
      const message = `expunged: unreachable for ${expunge} s (unreachableStrategy.expungeAfterSeconds)`;
      events.push(unreachableStatus(task, message, unreachable.by));
    } else if (!unreachable.inactive && inactive !== null && away >= inactive * 1000) {
      events.push(draft('TaskUnreachableInactive', { taskId: task.taskId, agentId: task.agentId }, unreachable.by));
    }
  }
  return events;
}

/** Marathon's `--task_launch_timeout` default. */
export const TASK_LAUNCH_TIMEOUT_MS = 300_000;
/** After a launch-timeout kill, how long past the kill grace period the master waits for the agent's word. */
export const KILL_CONFIRM_MARGIN_MS = 10_000;

/**
 * Tasks not RUNNING within the launch timeout are killed (and, as a failed launch, delay the app's
 * next one). One that still has no terminal status a kill grace period later (an agent that lost
 * or ignored the launch) is ended by the master itself, TASK_DROPPED, and replaced.
 */
function launchTimeouts(command: Tick, state: ClusterState, ended: ReadonlySet<string>): EventDraft[] {
  const timeoutMs = command.launchTimeoutMs ?? TASK_LAUNCH_TIMEOUT_MS;
  const now = command.meta.now;
  const events: EventDraft[] = [];
  const delays = new Map<string, LaunchDelay>();
  // Event times are fixed-width ISO strings: comparing them is comparing times, with no parsing
  // of every staged task on every tick.
  const stagedBefore = isoTime(now - timeoutMs);
  // Only tasks that have not run yet: a tick does not read the running ones.
  for (const task of state.tasks.notStarted()) {
    // In launch order, and events are stamped in time order (their `at` never decreases in the
    // log): once a task is recent enough, every later one is too. A burst keeps tens of thousands
    // of tasks staging for a while; a tick reads the few that may have timed out, not all of them.
    if (task.stagedAt > stagedBefore) break;
    // An unreachable task waits for its agent (or its expunge), not for a launch timeout.
    if (endsTask(task.state) || task.unreachable || ended.has(task.taskId)) continue;
    const age = now - Date.parse(task.stagedAt);
    if (!task.killRequested) {
      const kill = draft(
        'TaskKillRequested',
        {
          taskId: task.taskId,
          agentId: task.agentId,
          reason: `launch timeout: not running ${Math.round(timeoutMs / 1000)} s after its launch`,
        },
        task.launchedBy,
      );
      events.push(kill, ...failureBackoff(task, state, now, delays).map((d) => causedBy(d, { draft: kill })));
      continue;
    }
    const graceMs = (task.killGracePeriodSeconds ?? 3) * 1000 + KILL_CONFIRM_MARGIN_MS;
    if (age < timeoutMs + graceMs) continue;
    events.push(
      draft(
        'TaskStatusUpdated',
        {
          taskId: task.taskId,
          agentId: task.agentId,
          state: 'TASK_DROPPED',
          updateId: null,
          reason: 'REASON_TASK_KILLED_DURING_LAUNCH',
          message: `launch timeout: no word from agent ${task.host} ${Math.round(graceMs / 1000)} s after the kill`,
          exitCode: null,
        },
        task.launchedBy,
      ),
    );
  }
  return events;
}

/**
 * The connected agents when an ACTIVE agent may be overdue, else null: only one that is not
 * connected can be, and only once this master has led for the timeout (an ACTIVE agent's clock
 * starts at the later of its status and the leadership). In a steady cluster every ACTIVE agent
 * is connected; after a failover they have the timeout to come back.
 */
function activeMayBeOverdue(command: Tick, state: ClusterState): ReadonlySet<string> | null {
  if (command.meta.now - command.leaderSinceMs < command.agentUnreachableMs) return null;
  const connected = new Set(command.connectedAgentIds);
  let activeConnected = 0;
  for (const agentId of connected) if (state.agents.isActive(agentId)) activeConnected++;
  return activeConnected < state.agents.activeCount ? connected : null;
}

const NONE_CONNECTED: ReadonlySet<string> = new Set();

/** Disconnected past the timeout, or never back since this master leads (failover). */
function isOverdue(agent: AgentRecord, connected: ReadonlySet<string>, command: Tick): boolean {
  const now = command.meta.now;
  if (agent.status === 'DISCONNECTED') return now - agent.sinceMs >= command.agentUnreachableMs;
  if (agent.status !== 'ACTIVE' || connected.has(agent.agentId)) return false;
  return now - Math.max(agent.sinceMs, command.leaderSinceMs) >= command.agentUnreachableMs;
}

/**
 * One allocation pass: offers (DRF) only while some app waits and is not backing off; the app
 * scheduler answers each offer at once, launching what fits or declining with its reasons.
 */
function allocationPass(
  state: ClusterState,
  now: number,
  ids: SeededIdSource,
  deploymentLaunches: DeploymentLaunches,
): EventDraft[] {
  const waiting = fairOrder(
    launchQueueInAnyOrder(state, now, deploymentLaunches).filter((q) => q.delayedUntilMs === null),
  );
  if (waiting.length === 0) return [];
  const demand = waiting.reduce((sum, q) => sum + q.count, 0);
  // Agents that can hold one of the waiting tasks (the smallest's scalars and ports). When none can,
  // the pass makes one offer after all, so the waiting apps' decline says why (and filters that
  // agent): no other agent could take a task either, and each offer is judged against every app.
  const offering = (minOffer: MinOffer | undefined, maxOffers: number) =>
    allocations({
      agents: { inIdOrder: agentSlots(state) },
      frameworks: [
        {
          frameworkId: APPS_FRAMEWORK_ID,
          role: '*',
          weight: 1,
          allocated: state.tasks.usedScalars(),
          suppressed: false,
          minOffer,
        },
      ],
      // Mesos's total: every agent's resources, whatever runs there (kept by the agent table).
      clusterTotal: state.agents.totalScalars(),
      filters: (frameworkId, agentId, at) => {
        // state.offerFilters' key (see ClusterState).
        const until = state.offerFilters.get(`${frameworkId} ${agentId}`);
        return until !== undefined && at < until;
      },
      now,
      maxOffers,
    });
  const causes = launchCauses(state);
  // Offers are made because some app waits: the first in the queue names the chain. Its list is
  // filled as offers are made (below, before the decision is returned): answers name it as their cause.
  const offered: OffersMadeData['offers'] = [];
  const made = draft('OffersMade', { offers: offered }, causes.get(waiting[0].appId) ?? ROOT);
  const events: EventDraft[] = [made];
  const remaining = new Map(waiting.map((q) => [q.appId, q]));
  // Only apps with constraints need to know where their instances run.
  const constrained = new Set(waiting.filter((q) => q.constrained).map((q) => q.appId));
  const placed = constrained.size > 0 ? placedInstances(state, constrained) : new Map<string, AgentFacts[]>();
  // Constraints as placement reads them, once per pass (GROUP_BY's count reads every agent), and
  // only for the apps placement reaches: a pass whose launches go to the first apps leaves the
  // thousands behind them alone.
  const groupByCounted = new Map<string, string[][]>();
  const constraints = (app: AppDefinition): string[][] => {
    let counted = groupByCounted.get(app.id);
    if (!counted) groupByCounted.set(app.id, (counted = withGroupByCounts(app.constraints, state)));
    return counted;
  };
  const launchCount = { next: state.tasksLaunched };
  const passedOver = new Map<string, { agentId: string; reason: string }[]>();
  const declines = state.clusterVersion >= AGGREGATED_DECLINES_LEVEL ? new DeclineCollector() : null;
  const placements: PlacementRecord[] = [];
  const why = { made, causes, launchCount, passedOver, placements, declines };
  // One offer at a time, answered at once; once every waiting task is placed the pass makes no
  // more (an offer not taken is declined and filtered for DECLINE_REFUSE_MS: one launch on an
  // idle cluster makes one offer, not the hundred OFFERS_BEYOND_DEMAND allows a pass that searches).
  const passes = [
    { minOffer: smallestDemand(waiting), maxOffers: Math.min(OFFERS_PER_TICK_MAX, demand + OFFERS_BEYOND_DEMAND) },
    { minOffer: undefined, maxOffers: 1 },
  ];
  // Offers the app scheduler filled to MAX_INSTANCES_PER_OFFER while apps still wait: what they left.
  let filled: OfferDraft[] = [];
  const offerAndAnswer = (allocated: OfferDraft) => {
    const offer = { ...allocated, offerId: ids.uuid() };
    offered.push({
      offerId: offer.offerId,
      frameworkId: offer.frameworkId,
      agentId: offer.agentId,
      resources: eventResources(offer.resources),
    });
    const answer = answerOffer(offer, remaining, placed, constraints, state, now, ids, why);
    events.push(...answer.events);
    if (answer.leftover && remaining.size > 0) filled.push({ ...allocated, resources: answer.leftover });
  };
  for (const { minOffer, maxOffers } of passes) {
    for (const allocated of offering(minOffer, maxOffers)) {
      offerAndAnswer(allocated);
      if (remaining.size === 0) break;
    }
    if (offered.length > 0) break;
  }
  if (offered.length === 0) return [];
  // What a full offer left is offered again at once, in rounds, while the pass has offers left
  // (Mesos offers the unused part of an accepted offer again; Marathon takes at most its
  // max_instances_per_offer from each): on a few agents a burst is placed in one decision rather
  // than MAX_INSTANCES_PER_OFFER per agent per tick, 200 tasks on one agent in 40 ticks, each
  // waiting for the last one's append. A pass that offered every agent it may (a burst on
  // OFFERS_PER_TICK_MAX agents or more) has none left and is as before.
  while (filled.length > 0 && remaining.size > 0 && offered.length < OFFERS_PER_TICK_MAX) {
    const round = filled;
    filled = [];
    for (const leftover of round) {
      if (remaining.size === 0 || offered.length >= OFFERS_PER_TICK_MAX) break;
      // Only a leftover some waiting task could fit in: a smaller one would be declined and filtered.
      if (holdsMinOffer(leftover.resources, smallestDemand(remaining.values()))) offerAndAnswer(leftover);
    }
  }
  // "Agents offered in that pass": known once the pass has ended (an agent offered again counts once).
  const agentsOffered = new Set(offered.map((offer) => offer.agentId)).size;
  for (const placement of placements) placement.agentsOffered = agentsOffered;
  if (declines && declines.offers.length > 0) {
    const data = { refuseUntil: isoTime(now + DECLINE_REFUSE_MS), ...declines.result() };
    events.push(draft('OffersDeclined', data, { draft: made }));
  }
  return events;
}

/**
 * The least any waiting task needs, scalar by scalar: an agent with less free can take none of
 * them, so it is not offered while others can (once a burst fills most agents, every pass would
 * otherwise offer the full ones, and judge each offer against every waiting app only to decline it).
 */
function smallestDemand(waiting: Iterable<QueuedApp>): MinOffer {
  let cpus = Infinity;
  let mem = Infinity;
  let disk = Infinity;
  let portCount = Infinity;
  for (const { demand } of waiting) {
    cpus = Math.min(cpus, demand.cpus);
    mem = Math.min(mem, demand.mem);
    disk = Math.min(disk, demand.disk);
    portCount = Math.min(portCount, demand.portCount);
  }
  return { cpus, mem, disk, portCount };
}

/**
 * The order a pass serves waiting apps in: fewest active tasks first, then by id. In a burst the
 * apps that have nothing yet get their first tasks before others get more, so no app waits for
 * every app before it in id order to be complete (fairness, issue 12): with A apps waiting and
 * L launches a pass, each has a first task within ceil(A × MAX_INSTANCES_PER_OFFER / L) passes
 * when the cluster has room (tick-fairness.spec.ts measures it).
 */
function fairOrder(waiting: QueuedApp[]): QueuedApp[] {
  // The keys are on the queued records (launch-queue.ts): a burst's tick sorts 10,000 waiting apps.
  return waiting.sort((a, b) => a.active - b.active || (a.appId < b.appId ? -1 : a.appId > b.appId ? 1 : 0));
}

/** From this cluster version on, a pass writes one OffersDeclined, not an OfferDeclined per offer. */
export const AGGREGATED_DECLINES_LEVEL = 3;

/**
 * The declines of one allocation pass, gathered into one record. Folding it must leave the state
 * as the OfferDeclined per offer would have: every declined agent filtered, and for each app the
 * reasons of the last declined offer that named it, unless one of its tasks was launched after
 * that (a launch clears the app's reasons).
 */
class DeclineCollector {
  readonly offers: { offerId: string; agentId: string }[] = [];
  /** Per app, in the order the pass touched it: its last decline's reasons, or null after a launch. */
  private readonly lastTouch = new Map<string, { reason: string }[] | null>();

  declined(offerId: string, agentId: string, reasons: Record<string, { reason: string }[]>): void {
    this.offers.push({ offerId, agentId });
    for (const [appId, appReasons] of Object.entries(reasons)) this.lastTouch.set(appId, appReasons);
  }

  launched(appId: string): void {
    if (this.lastTouch.has(appId)) this.lastTouch.set(appId, null);
  }

  result(): { offers: { offerId: string; agentId: string }[]; reasons: Record<string, { reason: string }[]> } {
    const reasons: Record<string, { reason: string }[]> = {};
    for (const [appId, appReasons] of this.lastTouch) if (appReasons) reasons[appId] = appReasons;
    return { offers: this.offers, reasons };
  }
}

/** Examples of agents passed over that a launch records (the counts cover them all). */
export const PASSED_OVER_EXAMPLES = 3;

/** The bounded "why here, why not there" of a launch (the funnel of style.md, per launch). */
function placementRecord(passedOver: readonly { agentId: string; reason: string }[]): PlacementRecord {
  const byReason: Record<string, number> = {};
  for (const { reason } of passedOver) byReason[reason] = (byReason[reason] ?? 0) + 1;
  // agentsOffered is set when the pass ends (allocationPass).
  return { agentsOffered: 0, passedOver: passedOver.slice(0, PASSED_OVER_EXAMPLES), passedOverByReason: byReason };
}

/** A launch's placement record, mutable while its pass runs (agentsOffered is known at its end). */
type PlacementRecord = {
  -readonly [K in keyof NonNullable<TaskLaunchedData['placement']>]: NonNullable<TaskLaunchedData['placement']>[K];
};

/**
 * Why each app wants launches: the deployment working on it, else the last change of its demand.
 * Looked up per app, when asked: a pass asks for the apps it launches for (at most
 * LAUNCHES_PER_DECISION_MAX), not for each of 10,000 deployments in flight. An app is in one
 * deployment at most (a new one cancels or is refused by the one that locks it: withDeployment),
 * the one `deploymentOfApp` names; it is the cause while the app is in its current step.
 */
function launchCauses(state: ClusterState): Pick<ReadonlyMap<string, EventRef>, 'get'> {
  return {
    get: (appId) => {
      const deploymentId = state.deploymentOfApp.get(appId);
      const deployment = deploymentId === undefined ? undefined : state.deployments.get(deploymentId);
      const step = deployment?.steps[deployment.currentStep];
      if (step && appsOfStep(step).has(appId)) return deployment!.startedBy;
      return state.demandCauses.get(appId);
    },
  };
}

/** The apps a deployment step acts on, remembered per step (steps are never changed). */
function appsOfStep(step: DeploymentStep): ReadonlySet<string> {
  let apps = STEP_APPS.get(step);
  if (!apps) STEP_APPS.set(step, (apps = new Set(step.actions.map((action) => action.app))));
  return apps;
}
const STEP_APPS = new WeakMap<DeploymentStep, ReadonlySet<string>>();

/**
 * Marathon's GROUP_BY without a count spreads only as offers happen to arrive (its docs say so):
 * one offer may take every instance. Cairn reads a missing count as the number of values the
 * active agents (not in maintenance) have for the field, so `["rack", "GROUP_BY"]` spreads over every rack it knows.
 */
function withGroupByCounts(constraints: readonly (readonly string[])[], state: ClusterState): string[][] {
  return constraints.map((constraint) => {
    const [field, operator, value] = constraint;
    if (operator?.toUpperCase() !== 'GROUP_BY' || (value !== undefined && value !== '')) return [...constraint];
    const values = new Set<string>();
    for (const agent of state.agents.values()) {
      // Only agents that can take tasks: one in maintenance would hold a value no task can go to.
      if (agent.status !== 'ACTIVE' || agent.drain) continue;
      const v = field === 'hostname' || field === '@hostname' ? agent.hostname : agent.attributes[field];
      if (v !== undefined) values.add(v);
    }
    return values.size > 0 ? [field, operator, String(values.size)] : [...constraint];
  });
}

/**
 * Where each waiting app's live instances run (hostname and attributes), for its constraints. Kept
 * up to date across the offers of one pass, so a UNIQUE app gets one task per host in a pass too.
 */
function placedInstances(state: ClusterState, appIds: ReadonlySet<string>): Map<string, AgentFacts[]> {
  const placed = new Map<string, AgentFacts[]>();
  for (const appId of appIds) {
    const list: AgentFacts[] = [];
    for (const task of state.tasks.ofApp(appId)) {
      if (!countsAsInstance(task)) continue;
      list.push({ hostname: task.host, attributes: state.agents.get(task.agentId)?.attributes ?? {} });
    }
    if (list.length > 0) placed.set(appId, list);
  }
  return placed;
}

function answerOffer(
  offer: OfferDraft & { offerId: string },
  waiting: Map<string, QueuedApp>,
  placed: Map<string, AgentFacts[]>,
  constraints: (app: AppDefinition) => string[][],
  state: ClusterState,
  now: number,
  ids: SeededIdSource,
  why: {
    made: EventDraft;
    causes: Pick<ReadonlyMap<string, EventRef>, 'get'>;
    launchCount: { next: number };
    /** Per app, the agents of this pass that did not take it, and why (for its launches' placement record). */
    passedOver: Map<string, { agentId: string; reason: string }[]>;
    /** The launches' placement records, whose agentsOffered the pass sets once it has ended. */
    placements: PlacementRecord[];
    /** Gathers the pass's declines into one OffersDeclined (null: an OfferDeclined per offer). */
    declines: DeclineCollector | null;
  },
): { events: EventDraft[]; leftover: Resources | null } {
  const agent = state.agents.get(offer.agentId)!;
  const answered = { draft: why.made };
  // Built as placement reads it (it stops once the offer is full): an offer the first apps fill
  // costs nothing for the hundreds waiting behind them. Read before `waiting` changes below.
  function* queue(): Generator<QueuedLaunch> {
    for (const q of waiting.values()) {
      if (q.count <= 0) continue;
      yield {
        appId: q.appId,
        demand: q.demand,
        count: q.count,
        constraints: q.constrained ? constraints(q.app) : [],
        placed: placed.get(q.appId) ?? [],
        instances: q.app.instances,
      };
    }
  }
  // Only what this release runs counts, whatever an agent recorded long ago claimed: an app that
  // needs an image runtime (see launch-queue.ts) then waits as UnsupportedContainer.
  const capabilities = agent.capabilities.filter((c) => SUPPORTED_CAPABILITIES.has(c));
  const placement = placeTasks(queue(), {
    resources: offer.resources,
    capabilities,
    hostname: agent.hostname,
    attributes: agent.attributes,
  });
  for (const [appId, reasons] of placement.reasonsByApp) {
    const reason = funnelReason(reasons)?.reason;
    if (!reason) continue;
    // In place: a launch's placement record counts the list as it is when the launch is decided.
    const list = why.passedOver.get(appId);
    if (list) list.push({ agentId: agent.agentId, reason });
    else why.passedOver.set(appId, [{ agentId: agent.agentId, reason }]);
  }
  if (placement.launches.length === 0) {
    const reasons = Object.fromEntries(placement.reasonsByApp as Map<string, NoMatchReason[]>) as Record<
      string,
      { reason: string }[]
    >;
    if (why.declines) {
      why.declines.declined(offer.offerId, offer.agentId, reasons);
      return { events: [], leftover: null };
    }
    const declined = draft(
      'OfferDeclined',
      { offerId: offer.offerId, refuseUntil: isoTime(now + DECLINE_REFUSE_MS), reasons },
      answered,
    );
    return { events: [declined], leftover: null };
  }
  const launched: EventDraft[] = [];
  for (const launch of placement.launches) {
    const queued = waiting.get(launch.appId)!;
    // Round robin within the pass: an app served by this offer goes behind the others for the next.
    // One with nothing left to launch leaves the queue (later offers would only skip it).
    waiting.delete(launch.appId);
    if (queued.count > 1) waiting.set(launch.appId, { ...queued, count: queued.count - 1 });
    why.declines?.launched(launch.appId);
    // Unique forever, even if a caller repeats a seed: the count of launches so far is part of it.
    const taskId = taskIdFor(launch.appId, uniqueTaskUuid(ids.uuid(), why.launchCount.next++));
    if (queued.constrained) {
      const facts = { hostname: agent.hostname, attributes: agent.attributes };
      placed.set(launch.appId, [...(placed.get(launch.appId) ?? []), facts]);
    }
    const record = placementRecord(why.passedOver.get(launch.appId) ?? []);
    why.placements.push(record);
    const task = taskLaunched(queued.app, taskId, offer, agent.hostname, launch.ports, launch.resources, record);
    // A launch answers what made its app want it: its deployment, a change, or a task that ended.
    launched.push(causedBy(task, why.causes.get(launch.appId) ?? answered));
  }
  const taskIds = launched.map((e) => (e.type === 'TaskLaunched' ? e.data.taskId : ''));
  const accepted = draft('OfferAccepted', { offerId: offer.offerId, taskIds }, answered);
  // Placement stopped at the cap, not for want of room: what is left may take more.
  const full = placement.launches.length >= MAX_INSTANCES_PER_OFFER;
  return { events: [accepted, ...launched], leftover: full ? placement.remaining : null };
}

function taskLaunched(
  app: AppDefinition,
  taskId: string,
  offer: { offerId: string; agentId: string },
  host: string,
  ports: readonly number[],
  resources: Resources,
  placement: TaskLaunchedData['placement'],
): EventDraft {
  const args = app.args as string[] | undefined;
  return draft('TaskLaunched', {
    taskId,
    appId: app.id,
    appVersion: app.version,
    agentId: offer.agentId,
    host,
    offerId: offer.offerId,
    resources: eventResources(resources),
    ports: [...ports],
    portNames: app.portDefinitions.map((p) => p.name ?? null),
    command: args && args.length ? { shell: false, args } : { shell: true, value: app.cmd ?? '' },
    env: stringEnv(app.env),
    killGracePeriodSeconds: typeof app.taskKillGracePeriodSeconds === 'number' ? app.taskKillGracePeriodSeconds : null,
    healthChecks: healthCheckSpecs(app),
    readinessChecks: readinessCheckSpecs(app),
    placement,
    fetch: fetchSpecs(app),
  });
}

/**
 * Free resources per agent, in id order, built as the allocator reaches them: total - used by its
 * non-terminal tasks (nothing, never negative, for an agent that came back smaller than what runs
 * on it). The task table keeps them per agent until one of its tasks changes.
 */
function* agentSlots(state: ClusterState): Generator<AgentSlot> {
  for (const agentId of state.agents.idsInOrder()) {
    const agent = state.agents.get(agentId)!;
    // An agent in maintenance (draining or drained) is offered to no one.
    const active = agent.status === 'ACTIVE' && !agent.drain;
    // Nothing to work out for an agent that is not offered.
    yield { agentId, free: active ? state.tasks.freeOn(agent) : EMPTY_RESOURCES, active };
  }
}

function eventResources(r: Resources) {
  return { cpus: r.cpus, mem: r.mem, disk: r.disk, ports: r.ports.map(([b, e]) => [b, e] as [number, number]) };
}

/** Marathon's env values may be secret references; only plain strings reach a process. */
function stringEnv(env: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'));
}
