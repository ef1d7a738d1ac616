import { TERMINAL_STATES, type ClusterState } from '@cairn/domain';
import type { EventLog } from '@cairn/eventlog';
import { EventQueryError, type CairnEvent, type RecordedEvent, type SubjectKind } from '@cairn/events';
import { readEvents } from '../core/event-stream';
import type { SubjectIndex } from '../core/subject-index';

/** Events of one chain read to follow a cause back; a chain bigger than this is cut (and says so). */
export const WHY_CHAIN_EVENTS_MAX = 5_000;
/** Offsets closer than this are read as one range (fewer reads; records in between are skipped). */
const READ_GAP_MAX = 64;

export type WhyKind = 'task' | 'app' | 'deployment' | 'agent';

/** One event as `why` shows it: where, when, who, what. */
export interface WhyStep {
  readonly offset: number;
  readonly at: string;
  readonly type: string;
  readonly actor: string;
  readonly text: string;
}

export interface WhySources {
  readonly log: EventLog;
  readonly index: SubjectIndex;
  /** The live state, when a master answers (what blocks an app now); null offline (the state at the end is replayed). */
  readonly state: ClusterState | null;
}

/**
 * "Why": the causal chain behind a task, app, deployment or agent, read from what was recorded
 * when each decision was made — the events' `causationId` / `correlationId`, the request a
 * `DeploymentStarted` records, the placement a `TaskLaunched` records — never guessed.
 */
export async function explain(kind: WhyKind, id: string, sources: WhySources): Promise<Record<string, unknown>> {
  const own = await readOffsets(sources.log, sources.index.offsetsOf(kind as SubjectKind, id));
  if (own.length === 0) throw new EventQueryError(`no ${kind} '${id}' in the log`);
  switch (kind) {
    case 'task':
      return explainTask(id, own, sources);
    case 'app':
      return explainApp(id, own, sources);
    case 'deployment':
      return explainDeployment(id, own, sources);
    case 'agent':
      return explainAgent(id, own);
  }
}

async function explainTask(taskId: string, own: RecordedEvent<CairnEvent>[], sources: WhySources) {
  const launch = own.find((e) => e.type === 'TaskLaunched') as
    Extract<RecordedEvent<CairnEvent>, { type: 'TaskLaunched' }> | undefined;
  if (!launch)
    throw new EventQueryError(`task '${taskId}' was never launched in this log (only reported by its agent)`);
  const chain = await chainEvents(sources, launch.correlationId);
  const causes = causalPath(launch, chain.events);
  const started =
    [...causes, launch].find((e) => e.type === 'DeploymentStarted') ??
    chain.events.find((e) => e.type === 'DeploymentStarted');
  const offer = (await readOffsets(sources.log, sources.index.offsetsOf('offer', launch.data.offerId))).find(
    (e) => e.type === 'OffersMade',
  );
  const offered =
    offer?.type === 'OffersMade' ? offer.data.offers.find((o) => o.offerId === launch.data.offerId) : undefined;
  const end = own.find((e) => e.type === 'TaskStatusUpdated' && TERMINAL_STATES.has(e.data.state));
  const killRequest = own.find((e) => e.type === 'TaskKillRequested');
  const replacedBy = end ? await replacementsOf(sources, chain, end) : [];
  const live = sources.state?.tasks.get(taskId);
  return {
    task: {
      id: taskId,
      appId: launch.data.appId,
      appVersion: launch.data.appVersion,
      agentId: launch.data.agentId,
      host: launch.data.host,
      state: live?.state ?? (end?.type === 'TaskStatusUpdated' ? end.data.state : lastStatus(own)),
    },
    request:
      started?.type === 'DeploymentStarted'
        ? { ...started.data.request, deploymentId: started.data.deploymentId }
        : null,
    causes: causes.map(step),
    placement: {
      offset: launch.offset,
      agentId: launch.data.agentId,
      host: launch.data.host,
      offerId: launch.data.offerId,
      offered: offered?.resources ?? null,
      used: launch.data.resources,
      ports: launch.data.ports,
      agentsOffered: launch.data.placement?.agentsOffered ?? null,
      rejected: launch.data.placement?.passedOver ?? [],
      rejectedByReason: launch.data.placement?.passedOverByReason ?? {},
    },
    history: own.filter((e) => e !== launch).map(step),
    ended: end
      ? {
          ...step(end),
          killRequested:
            killRequest?.type === 'TaskKillRequested'
              ? { offset: killRequest.offset, reason: killRequest.data.reason, actor: killRequest.actor }
              : null,
        }
      : null,
    replacedBy,
    ...(chain.truncated
      ? { note: `the chain has more than ${WHY_CHAIN_EVENTS_MAX} events; only its first were read` }
      : {}),
  };
}

async function explainApp(appId: string, own: RecordedEvent<CairnEvent>[], sources: WhySources) {
  const changes = own.filter((e) => APP_CHANGES.has(e.type) || e.type === 'DeploymentStarted');
  const app = sources.state?.apps.get(appId) ?? null;
  let blockers: string[] = [];
  if (app && sources.state) blockers = blockersOf(appId, app.instances, sources.state);
  return {
    app: app ? { id: appId, instances: app.instances, version: app.version } : { id: appId, deleted: true },
    changes: changes.map((e) => ({
      ...step(e),
      ...(e.type === 'DeploymentStarted' ? { request: e.data.request, deploymentId: e.data.deploymentId } : {}),
    })),
    lastDeclines: (await readOffsets(sources.log, sources.index.declinesOf(appId).slice(-3))).map(step),
    launchDelays: own
      .filter((e) => e.type === 'LaunchDelayed' || e.type === 'LaunchDelayReset')
      .slice(-5)
      .map(step),
    blockers,
  };
}

async function explainDeployment(deploymentId: string, own: RecordedEvent<CairnEvent>[], sources: WhySources) {
  const started = own.find((e) => e.type === 'DeploymentStarted');
  if (started?.type !== 'DeploymentStarted')
    throw new EventQueryError(`deployment '${deploymentId}' has no DeploymentStarted in this log`);
  const chain = await chainEvents(sources, started.correlationId);
  const count = (type: string) => chain.events.filter((e) => e.type === type && e.offset > started.offset).length;
  return {
    deployment: { id: deploymentId, affectedApps: started.data.affectedApps, steps: started.data.steps },
    request: started.data.request,
    causes: causalPath(started, chain.events).map(step),
    history: own.map(step),
    effects: {
      launched: count('TaskLaunched'),
      killRequested: count('TaskKillRequested'),
      statusUpdates: count('TaskStatusUpdated'),
    },
    live: sources.state?.deployments.has(deploymentId) ?? null,
  };
}

function explainAgent(agentId: string, own: RecordedEvent<CairnEvent>[]) {
  const membership = own.filter((e) => e.type.startsWith('Agent'));
  const ended = own.filter((e) => e.type === 'TaskStatusUpdated' && e.data.reason !== null && e.actor === 'system');
  return {
    agent: { id: agentId },
    history: membership.map(step),
    tasksEndedByTheMaster: ended.map(step),
    tasksLaunched: own.filter((e) => e.type === 'TaskLaunched').length,
  };
}

/** Why an app has fewer tasks than instances now: its deployment, its backoff, the last offers' reasons. */
function blockersOf(appId: string, instances: number, state: ClusterState): string[] {
  const blockers: string[] = [];
  const active = [...state.tasks.ofApp(appId)].filter((t) => !t.killRequested).length;
  if (active >= instances) return blockers;
  blockers.push(`${active} of ${instances} instances have a task`);
  const delay = state.launchDelays.get(appId);
  if (delay)
    blockers.push(
      `launches are delayed until ${new Date(delay.untilMs).toISOString()} after ${delay.failures} failures`,
    );
  for (const d of state.deployments.values()) {
    if (d.affectedApps.includes(appId))
      blockers.push(`deployment ${d.deploymentId} is at step ${d.currentStep + 1} of ${d.steps.length}`);
  }
  for (const reason of state.queueReasons.get(appId) ?? [])
    blockers.push(`the last offers did not fit: ${JSON.stringify(reason)}`);
  return blockers;
}

/** The chain's events (the user command and everything it caused), up to the cap. */
async function chainEvents(sources: WhySources, correlationId: string) {
  const offsets = sources.index.offsetsOfCorrelation(correlationId);
  const truncated = offsets.length > WHY_CHAIN_EVENTS_MAX;
  return {
    events: await readOffsets(sources.log, truncated ? offsets.slice(0, WHY_CHAIN_EVENTS_MAX) : offsets),
    truncated,
  };
}

/** From the root of the chain to the event that directly caused `event`, following causationId. */
function causalPath(
  event: RecordedEvent<CairnEvent>,
  chain: readonly RecordedEvent<CairnEvent>[],
): RecordedEvent<CairnEvent>[] {
  const byId = new Map(chain.map((e) => [e.id, e]));
  const path: RecordedEvent<CairnEvent>[] = [];
  for (let cause = event.causationId; cause !== null;) {
    const found = byId.get(cause);
    if (!found || path.includes(found)) break;
    path.unshift(found);
    cause = found.causationId;
  }
  // The command itself is not an event: the chain's first events (App*, DeploymentStarted) are its record.
  const roots = chain.filter((e) => e.causationId === e.correlationId && e.offset < (path[0]?.offset ?? event.offset));
  return [...roots.filter((r) => !path.includes(r)), ...path];
}

/**
 * Tasks launched because this one ended: their launch names its end as the cause, and so belongs
 * to its chain (already read, unless the chain was cut: then the rest after the end is read).
 */
async function replacementsOf(
  sources: WhySources,
  chain: { events: RecordedEvent<CairnEvent>[]; truncated: boolean },
  end: RecordedEvent<CairnEvent>,
) {
  let candidates = chain.events;
  if (chain.truncated) {
    const after = sources.index.offsetsOfCorrelation(end.correlationId).filter((o) => o > end.offset);
    candidates = await readOffsets(sources.log, after.slice(0, WHY_CHAIN_EVENTS_MAX));
  }
  return candidates
    .filter((e) => e.type === 'TaskLaunched' && e.causationId === end.id)
    .map((e) => ({ ...step(e), taskId: (e.data as { taskId: string }).taskId }));
}

/** Reads the events at the given ascending offsets, nearby ones in one range. */
export async function readOffsets(log: EventLog, offsets: readonly number[]): Promise<RecordedEvent<CairnEvent>[]> {
  const wanted = new Set(offsets);
  const found: RecordedEvent<CairnEvent>[] = [];
  for (let i = 0; i < offsets.length;) {
    let j = i;
    while (j + 1 < offsets.length && offsets[j + 1] - offsets[j] <= READ_GAP_MAX) j++;
    for await (const batch of readEvents(log, { from: offsets[i], to: offsets[j] + 1 })) {
      for (const event of batch) if (wanted.has(event.offset)) found.push(event);
    }
    i = j + 1;
  }
  return found;
}

const APP_CHANGES = new Set(['AppCreated', 'AppUpdated', 'AppScaled', 'AppDeleted', 'AppRestartRequested']);

function lastStatus(events: readonly RecordedEvent<CairnEvent>[]): string | null {
  const last = [...events].reverse().find((e) => e.type === 'TaskStatusUpdated');
  return last?.type === 'TaskStatusUpdated' ? last.data.state : null;
}

function step(event: RecordedEvent<CairnEvent>): WhyStep {
  return { offset: event.offset, at: event.at, type: event.type, actor: event.actor, text: describe(event) };
}

/** A few words per event, the fields that answer "why". */
export function describe(event: CairnEvent): string {
  switch (event.type) {
    case 'AppCreated':
      return `app ${event.data.app.id} created with ${event.data.app.instances} instances`;
    case 'AppUpdated':
      return `app ${event.data.app.id} changed (version ${event.data.app.version})`;
    case 'AppScaled':
      return `app ${event.data.appId} scaled to ${event.data.instances}`;
    case 'AppDeleted':
      return `app ${event.data.appId} deleted`;
    case 'AppRestartRequested':
      return `app ${event.data.appId} restart requested`;
    case 'DeploymentStarted': {
      const r = event.data.request;
      const who = r ? ` by ${r.actor} from ${r.remoteAddress ?? 'an unknown address'} (${r.method} ${r.path})` : '';
      return `deployment ${event.data.deploymentId} of ${event.data.affectedApps.join(', ')} started${who}`;
    }
    case 'DeploymentStepFinished':
      return `deployment ${event.data.deploymentId} finished step ${event.data.step}`;
    case 'DeploymentFinished':
      return `deployment ${event.data.deploymentId} finished`;
    case 'DeploymentCancelled':
      return `deployment ${event.data.deploymentId} cancelled: ${event.data.reason}${event.data.by ? ` (by ${event.data.by})` : ''}`;
    case 'TaskLaunched':
      return `task ${event.data.taskId} launched on agent ${event.data.agentId} (${event.data.host}) from offer ${event.data.offerId}`;
    case 'TaskStatusUpdated':
      return `task ${event.data.taskId} ${event.data.state}${event.data.reason ? ` (${event.data.reason})` : ''}${event.data.message ? `: ${event.data.message}` : ''}`;
    case 'TaskKillRequested':
      return `kill of task ${event.data.taskId} requested: ${event.data.reason}`;
    case 'TaskHealthChanged':
      return `task ${event.data.taskId} health check ${event.data.checkIndex} ${event.data.alive ? 'alive' : 'failing'}${event.data.lastFailureCause ? ` (${event.data.lastFailureCause})` : ''}`;
    case 'TaskReadinessChanged':
      return `task ${event.data.taskId} readiness ${event.data.name} ${event.data.ready ? 'ready' : 'not ready'}`;
    case 'TaskUnreachable':
      return `task ${event.data.taskId} unreachable: ${event.data.message}`;
    case 'TaskUnreachableInactive':
      return `task ${event.data.taskId} unreachable too long: replaced`;
    case 'LaunchDelayed':
      return `launches of ${event.data.appId} delayed until ${event.data.until} after ${event.data.failures} failures`;
    case 'LaunchDelayReset':
      return `launch delay of ${event.data.appId} reset`;
    case 'OfferDeclined':
      return `offer ${event.data.offerId} declined: ${reasonsInWords(event.data.reasons)}`;
    case 'OffersDeclined':
      return `${event.data.offers.length} offer(s) declined: ${reasonsInWords(event.data.reasons)}`;
    case 'AgentRegistered':
    case 'AgentReregistered':
      return `agent ${event.data.agentId} (${event.data.hostname}) ${event.type === 'AgentRegistered' ? 'registered' : 're-registered'}`;
    case 'AgentDisconnected':
      return `agent ${event.data.agentId} disconnected`;
    case 'AgentUnreachable':
      return `agent ${event.data.agentId} unreachable`;
    case 'AgentDrainStarted': {
      const moving =
        event.data.deploymentIds.length > 0 ? `, tasks moved by ${event.data.deploymentIds.join(', ')}` : '';
      const deadline = event.data.deadline ? `, deadline ${event.data.deadline}` : '';
      return `agent ${event.data.agentId} drains (maintenance)${moving}${deadline}`;
    }
    case 'AgentDrained':
      return `agent ${event.data.agentId} drained: no task left`;
    case 'AgentReactivated':
      return `agent ${event.data.agentId} reactivated`;
    default:
      return event.type;
  }
}

function reasonsInWords(reasons: Record<string, readonly { reason: string }[]>): string {
  return Object.entries(reasons)
    .map(([app, appReasons]) => `${app}: ${appReasons.map((r) => r.reason).join(', ')}`)
    .join('; ');
}
