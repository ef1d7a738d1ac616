import type { CairnEvent } from '../catalogue';

/** What an event can be about. `correlation` is the chain (the user command) it belongs to. */
export type SubjectKind = 'app' | 'task' | 'agent' | 'deployment' | 'offer' | 'group';

export type SubjectVisitor = (kind: SubjectKind, id: string) => void;

/**
 * Calls `visit` once per entity the event concerns, as the event names it: the filters of
 * /v1/events, the `why` index and the audit read events through this one function. Only what the
 * event's own data says: a status update names its task and agent, not the task's app (the index
 * learns that from the task's launch). The switch is exhaustive, so a new event type cannot be
 * added without saying what it is about.
 */
export function visitSubjects(event: CairnEvent, visit: SubjectVisitor): void {
  switch (event.type) {
    case 'LeaderElected':
    case 'SnapshotWritten':
    case 'ClusterVersionRaised':
      return;
    case 'AppCreated':
    case 'AppUpdated':
      return visit('app', event.data.app.id);
    case 'GroupCreated':
    case 'GroupUpdated':
      return visit('group', event.data.group.id);
    case 'GroupDeleted':
      return visit('group', event.data.groupId);
    case 'AppScaled':
    case 'AppDeleted':
    case 'LaunchDelayed':
    case 'LaunchDelayReset':
    case 'AppRestartRequested':
      return visit('app', event.data.appId);
    case 'AgentRegistered':
    case 'AgentDisconnected':
    case 'AgentUnreachable':
    case 'AgentDrained':
    case 'AgentReactivated':
      return visit('agent', event.data.agentId);
    case 'AgentDrainStarted':
      visit('agent', event.data.agentId);
      for (const id of event.data.deploymentIds) visit('deployment', id);
      return;
    case 'AgentReregistered':
      visit('agent', event.data.agentId);
      for (const task of event.data.tasks) visit('task', task.taskId);
      return;
    case 'OffersMade':
      for (const offer of event.data.offers) {
        visit('offer', offer.offerId);
        visit('agent', offer.agentId);
      }
      return;
    case 'OfferAccepted':
      visit('offer', event.data.offerId);
      for (const taskId of event.data.taskIds) visit('task', taskId);
      return;
    case 'OfferDeclined':
      visit('offer', event.data.offerId);
      for (const appId of Object.keys(event.data.reasons)) visit('app', appId);
      return;
    case 'OffersDeclined':
      for (const offer of event.data.offers) visit('offer', offer.offerId);
      for (const appId of Object.keys(event.data.reasons)) visit('app', appId);
      return;
    case 'TaskLaunched':
      visit('task', event.data.taskId);
      visit('app', event.data.appId);
      visit('agent', event.data.agentId);
      visit('offer', event.data.offerId);
      return;
    case 'TaskStatusUpdated':
    case 'TaskKillRequested':
    case 'TaskUnreachable':
    case 'TaskUnreachableInactive':
      visit('task', event.data.taskId);
      visit('agent', event.data.agentId);
      return;
    case 'TaskHealthChanged':
    case 'TaskReadinessChanged':
      visit('task', event.data.taskId);
      visit('app', event.data.appId);
      return;
    case 'DeploymentStarted':
      visit('deployment', event.data.deploymentId);
      for (const appId of event.data.affectedApps) visit('app', appId);
      return;
    case 'DeploymentStepFinished':
    case 'DeploymentFinished':
      return visit('deployment', event.data.deploymentId);
    case 'DeploymentCancelled':
      visit('deployment', event.data.deploymentId);
      if (event.data.by) visit('deployment', event.data.by);
      return;
    default:
      return assertNever(event);
  }
}

/** The subjects of one event as a list (tests, one-off reads); hot paths use the visitor. */
export function subjectsOf(event: CairnEvent): { kind: SubjectKind; id: string }[] {
  const subjects: { kind: SubjectKind; id: string }[] = [];
  visitSubjects(event, (kind, id) => subjects.push({ kind, id }));
  return subjects;
}

function assertNever(event: never): never {
  throw new Error(`no subjects defined for event type ${(event as { type: string }).type}`);
}
