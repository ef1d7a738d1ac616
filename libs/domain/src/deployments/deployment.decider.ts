import { isoTime } from '@cairn/common/iso-time';
import type { AppDefinition, CairnEvent } from '@cairn/events';
import { CommandMeta, CommandRejected, draft, EventDraft, ROOT } from '../command';
import type { ClusterState, DeploymentRecord, GroupRecord, Ownership, TaskRecord } from '../state';
import { inheritedDependencies } from '../groups/group-tree';
import { AppChange, DeploymentAction, DeploymentStep, planSteps } from './plan';
import { AppBuckets, reconcileAction } from './reconcile';

/** Marathon's `--max_running_deployments` default: more are refused (403) unless forced. */
export const MAX_RUNNING_DEPLOYMENTS = 100;

/** The deployments in progress whose apps include any of `appIds`, oldest first. */
export function lockingDeployments(state: ClusterState, appIds: readonly string[]): DeploymentRecord[] {
  const ids = new Set(appIds.flatMap((app) => state.deploymentOfApp.get(app) ?? []));
  return [...ids].map((id) => state.deployments.get(id)!).sort(byVersionThenId);
}

/**
 * The deployment a user command starts, after the events that change the apps: refuses (409,
 * Marathon's message and `deployments`) when a deployment in progress locks one of its apps,
 * unless `force`, which cancels those first. Returns [] for a change that needs no step.
 */
export function withDeployment(
  state: ClusterState,
  meta: CommandMeta,
  changes: ReadonlyMap<string, AppChange>,
  force: boolean,
  appEvents: readonly EventDraft[],
  /**
   * `groups`: the groups as the command leaves them (their dependencies order the plan too).
   * `steps`: the steps, when the caller plans them itself (an agent drain: restarts of the same
   * spec, which planSteps sees as no change); they are never taken as done at once.
   */
  plan: { readonly groups?: ReadonlyMap<string, GroupRecord>; readonly steps?: DeploymentStep[] } = {},
): EventDraft[] {
  // A deployment's id is its command's: commands ids are unique (uuids), and a repeat must not
  // take over another deployment.
  if (state.deployments.has(meta.commandId)) {
    throw new CommandRejected('conflict', `deployment ${meta.commandId} exists already: retry the command`);
  }
  const cancelled = cancelLocking(state, [...changes.keys()], force, meta.commandId);
  const groups = plan.groups ?? state.groups;
  const steps = plan.steps ?? planSteps(changes, (app) => inheritedDependencies(groups, app));
  if (steps.length === 0) return [...cancelled, ...appEvents];
  if (!force && state.deployments.size - cancelled.length >= MAX_RUNNING_DEPLOYMENTS) {
    throw new CommandRejected(
      'forbidden',
      `Max number of running deployments is exceeded (${MAX_RUNNING_DEPLOYMENTS}). Wait until some finish, or use ?force=true.`,
    );
  }
  const affected = [...changes.keys()].sort();
  const deploymentId = meta.commandId;
  // Steps with nothing to do (StartApplication, a new app of 0 instances, a delete of an app with
  // no task) finish as the plan starts: no deployment lingers for a later tick to close.
  // A new app has no task; the others' are looked up when asked.
  const grouped = groupTasksByApp(state);
  const tasksOf = (app: string) => (changes.get(app)?.original ? (grouped.get(app) ?? []) : []);
  const doneAtOnce = (step: DeploymentStep) =>
    step.actions.every(
      (action) =>
        reconcileAction(action, changes.get(action.app)?.target ?? undefined, tasksOf(action.app), state.agents).done,
    );
  const firstOpen = plan.steps ? 0 : steps.findIndex((step) => !doneAtOnce(step));
  const finishedAtOnce = firstOpen < 0 ? steps.length : firstOpen;
  // The deployment records the user's command (its id is the command's): a chain starts here.
  const started = draft(
    'DeploymentStarted',
    {
      deploymentId,
      version: isoTime(meta.now),
      affectedApps: affected,
      steps,
      original: Object.fromEntries(affected.map((id) => [id, changes.get(id)!.original])),
      target: Object.fromEntries(affected.map((id) => [id, changes.get(id)!.target])),
      request: meta.origin ? { actor: meta.actor, ...meta.origin } : null,
    },
    ROOT,
  );
  const cause = { draft: started };
  return [
    ...cancelled,
    ...appEvents,
    started,
    ...Array.from({ length: finishedAtOnce }, (_, i) =>
      draft('DeploymentStepFinished', { deploymentId, step: i + 1 }, cause),
    ),
    ...(finishedAtOnce === steps.length ? [draft('DeploymentFinished', { deploymentId }, cause)] : []),
  ];
}

function cancelLocking(state: ClusterState, appIds: readonly string[], force: boolean, by: string): EventDraft[] {
  const locking = lockingDeployments(state, appIds);
  if (locking.length === 0) return [];
  if (!force) {
    throw new CommandRejected(
      'conflict',
      "App is locked by one or more deployments. Override with the option '?force=true'. " +
        `View details at '/v2/deployments/${locking[0].deploymentId}'.`,
      undefined,
      { deployments: locking.map((d) => ({ id: d.deploymentId })) },
    );
  }
  return locking.map((d) =>
    draft('DeploymentCancelled', { deploymentId: d.deploymentId, reason: 'superseded by a forced change', by }),
  );
}

/**
 * One tick's work on the deployments in progress: the kills their current steps want now, and a
 * step (then the deployment) finished when all its actions are done. Launches are not decided
 * here: `deploymentDemand` hands them to the launch queue, which places them with the others.
 */
export function advanceDeployments(state: ClusterState, demand: ReadonlyMap<string, AppBuckets>): EventDraft[] {
  // Decided in the map's order, written in version-then-id order: only the deployments that act
  // are sorted (a tick with 10,000 in flight sorted them all, ~9 ms, to act on a few).
  const acting: { deployment: DeploymentRecord; events: EventDraft[] }[] = [];
  for (const deployment of state.deployments.values()) {
    const events = advanceDeployment(state, deployment, demand);
    if (events.length > 0) acting.push({ deployment, events });
  }
  acting.sort((a, b) => byVersionThenId(a.deployment, b.deployment));
  return acting.flatMap((a) => a.events);
}

/** One deployment's kills wanted now, and its step (then itself) finished once the step's actions are done. */
function advanceDeployment(
  state: ClusterState,
  deployment: DeploymentRecord,
  demand: ReadonlyMap<string, AppBuckets>,
): EventDraft[] {
  const step = deployment.steps[deployment.currentStep];
  if (!step) return NOTHING;
  // Most of 10,000 deployments in flight neither kill nor finish on a tick: no list for them.
  let events: EventDraft[] | null = null;
  let done = true;
  for (const action of step.actions) {
    // StartApplication (a no-op kept for clients) has no demand: it is done.
    const buckets = demand.get(action.app) ?? reconcileAction(action, undefined, []);
    done &&= buckets.done;
    for (const task of buckets.kill) {
      events ??= [];
      const agent = state.agents.get(task.agentId);
      const drain = agent?.drain ? ` (agent ${agent.hostname} drains)` : '';
      const reason = `deployment ${deployment.deploymentId}: ${action.action}${drain}`;
      events.push(
        draft('TaskKillRequested', { taskId: task.taskId, agentId: task.agentId, reason }, deployment.startedBy),
      );
    }
  }
  if (!done) return events ?? NOTHING;
  events ??= [];
  // The deployment's own chain: what its steps do is caused by its DeploymentStarted.
  const { deploymentId, startedBy } = deployment;
  const finished = deployment.currentStep + 1;
  events.push(draft('DeploymentStepFinished', { deploymentId, step: finished }, startedBy));
  if (finished === deployment.steps.length) events.push(draft('DeploymentFinished', { deploymentId }, startedBy));
  return events;
}

const NOTHING: EventDraft[] = [];

/**
 * What each app in a current deployment step wants now (its buckets, one reconcile per app per
 * tick): advanceDeployments takes the kills and the step's end from it, the launch queue the launches.
 */
export function deploymentDemand(state: ClusterState, tasksByApp: TasksByApp): Map<string, AppBuckets> {
  const demand = new Map<string, AppBuckets>();
  for (const deployment of state.deployments.values()) {
    for (const action of deployment.steps[deployment.currentStep]?.actions ?? []) {
      // StartApplication is a no-op kept for clients: it must not hold the app's launches at 0.
      if (action.action !== 'StartApplication') demand.set(action.app, bucketsOf(state, action, tasksByApp));
    }
    // An app of a later step waits for it (its dependencies come first): nothing launches for it
    // now, which the level rule "instances − active" would otherwise do at once.
    for (let later = deployment.currentStep + 1; later < deployment.steps.length; later++) {
      for (const action of deployment.steps[later].actions) {
        if (action.action === 'StartApplication' || demand.has(action.app)) continue;
        const waitingFor = `step ${later + 1} of deployment ${deployment.deploymentId}`;
        demand.set(action.app, { launch: 0, kill: [], done: false, waitingFor });
      }
    }
  }
  return demand;
}

/**
 * The launches deployments want, per app: while a deployment works on an app, this is that app's
 * only demand (the level rule "instances − active" is for the other apps).
 */
export function launchesOf(demand: ReadonlyMap<string, AppBuckets>): DeploymentLaunches {
  // A view, not a copy: a tick with 10,000 deployments in flight built a second map of them.
  return { keys: () => demand.keys(), get: (app) => demand.get(app)?.launch };
}

/** The launches deployments want, by app (see launchesOf). */
export type DeploymentLaunches = Pick<ReadonlyMap<string, number>, 'keys' | 'get'>;

/** The launches deployments want now, per app (for the launch queue's views). */
export function deploymentLaunches(state: ClusterState, tasksByApp = groupTasksByApp(state)): DeploymentLaunches {
  if (state.deployments.size === 0) return NO_LAUNCHES;
  return launchesOf(deploymentDemand(state, tasksByApp));
}

const NO_LAUNCHES: DeploymentLaunches = new Map();

export function bucketsOf(state: ClusterState, action: DeploymentAction, tasksByApp: TasksByApp): AppBuckets {
  const app = state.apps.get(action.app);
  // What a deployment's action wants is a pure function of the action, the app, its tasks and
  // the agents: remembered per app task stamp (replaced at any change to one of its tasks), so a
  // tick with 10,000 deployments in flight reconciles only the apps whose tasks changed since.
  if (!tasksByApp.complete) return reconcileAction(action, app, tasksByApp.get(action.app) ?? [], state.agents);
  const stamp = state.tasks.stampOf(action.app);
  const memos = stamp ? STAMPED : unstampedIn(state.tasks);
  const key = stamp ?? action;
  const agents = state.agents.attributesAndDrainStamp;
  const memo = memos.get(key);
  if (memo && memo.action === action && memo.app === app && memo.agents === agents) return memo.buckets;
  const buckets = reconcileAction(action, app, tasksByApp.get(action.app) ?? [], state.agents);
  memos.set(key, { action, app, agents, buckets });
  return buckets;
}

type BucketsMemo = WeakMap<
  object,
  { action: DeploymentAction; app: AppDefinition | undefined; agents: object; buckets: AppBuckets }
>;

/** bucketsOf's memo, weakly keyed by the app's task stamp (see TaskTable.stampOf). */
const STAMPED: BucketsMemo = new WeakMap();

/**
 * An app none of whose tasks changed in a task table's line has no stamp (a burst's apps before
 * their first launch): its buckets are remembered under the deployment's action, per task table
 * (a fork's memo goes with the fork), instead of being reconciled again on every tick.
 */
const UNSTAMPED = new WeakMap<object, BucketsMemo>();
function unstampedIn(tasks: object): BucketsMemo {
  let memos = UNSTAMPED.get(tasks);
  if (!memos) UNSTAMPED.set(tasks, (memos = new WeakMap()));
  return memos;
}

/** An app's non-terminal tasks, as a deployment reconciles them (see groupTasksByApp). */
export interface TasksByApp {
  get(appId: string): readonly TaskRecord[] | undefined;
  /** True when each app's list is all its tasks but the inactive unreachable ones (none left out for this tick). */
  readonly complete?: boolean;
}

/**
 * Non-terminal tasks by app, in the state's order, less inactive ones and those `except` names.
 * Each app's list is read from the task table's index when first asked for: a tick reads the
 * tasks of the apps its deployments work on, not every task.
 */
export function groupTasksByApp(state: ClusterState, except?: ReadonlySet<string>): TasksByApp {
  const grouped = new Map<string, TaskRecord[]>();
  return {
    complete: !except || except.size === 0,
    get(appId: string): TaskRecord[] {
      let list = grouped.get(appId);
      if (list) return list;
      list = [];
      for (const task of state.tasks.ofApp(appId)) {
        // An inactive unreachable task is replaced: it only waits for its expunge (or its agent).
        if (except?.has(task.taskId) || task.unreachable?.inactive) continue;
        list.push(task);
      }
      grouped.set(appId, list);
      return list;
    },
  };
}

export function evolveDeployment(state: ClusterState, event: CairnEvent, _ownership: Ownership = 'shared'): void {
  switch (event.type) {
    case 'DeploymentStarted':
      // Every member named (see TaskLaunched in task.decider.ts): one hidden class for all deployments.
      state.deployments.set(event.data.deploymentId, {
        deploymentId: event.data.deploymentId,
        version: event.data.version,
        affectedApps: event.data.affectedApps,
        steps: event.data.steps,
        original: event.data.original,
        target: event.data.target,
        request: event.data.request,
        currentStep: 0,
        startedBy: { eventId: event.id, correlationId: event.correlationId },
      });
      for (const app of event.data.affectedApps) state.deploymentOfApp.set(app, event.data.deploymentId);
      // A deployment starts its apps without backoff (Marathon resets it when a restart starts).
      for (const app of event.data.affectedApps) state.launchDelays.delete(app);
      return;
    case 'DeploymentStepFinished': {
      const deployment = state.deployments.get(event.data.deploymentId);
      if (deployment) state.deployments.set(deployment.deploymentId, { ...deployment, currentStep: event.data.step });
      return;
    }
    case 'DeploymentFinished':
    case 'DeploymentCancelled': {
      const deployment = state.deployments.get(event.data.deploymentId);
      state.deployments.delete(event.data.deploymentId);
      for (const app of deployment?.affectedApps ?? []) {
        if (state.deploymentOfApp.get(app) === event.data.deploymentId) state.deploymentOfApp.delete(app);
      }
      return;
    }
    default:
      return;
  }
}

/** The apps a rollback returns to: each affected app's original (null: it did not exist). */
export function rollbackTargets(deployment: DeploymentRecord): Map<string, AppDefinition | null> {
  return new Map(deployment.affectedApps.map((app) => [app, deployment.original[app] ?? null]));
}

function byVersionThenId(a: DeploymentRecord, b: DeploymentRecord): number {
  if (a.version !== b.version) return a.version < b.version ? -1 : 1;
  return a.deploymentId < b.deploymentId ? -1 : a.deploymentId > b.deploymentId ? 1 : 0;
}
