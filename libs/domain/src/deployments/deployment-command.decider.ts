import { CommandRejected, draft, EventDraft } from '../command';
import type { ClusterState } from '../state';
import { AppDecision, changeDecision, createDecision, deleteDecision, restartDecision } from '../apps/app.decider';
import type { AppChange } from './plan';
import type { CancelDeployment, DeploymentCommand, RestartApp } from './deployment.commands';
import { rollbackTargets, withDeployment } from './deployment.decider';

export function decideDeploymentCommand(command: DeploymentCommand, state: ClusterState): EventDraft[] {
  switch (command.kind) {
    case 'RestartApp':
      return restartApp(command, state);
    case 'CancelDeployment':
      return cancelDeployment(command, state);
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}

function restartApp({ appId, force, meta }: RestartApp, state: ClusterState): EventDraft[] {
  const current = state.apps.get(appId);
  if (!current) throw new CommandRejected('not-found', `App '${appId}' does not exist`);
  const { events, change } = restartDecision(current, meta.now);
  return withDeployment(state, meta, new Map([[appId, change!]]), force, events);
}

/**
 * Marathon's DELETE /v2/deployments/{id}: with `rollback`, a new forced deployment takes every app
 * the deployment touched back to its original (re-created if it was deleted, deleted if it was
 * new); without, the deployment just stops where it is (tasks of both versions may remain).
 */
function cancelDeployment({ deploymentId, rollback, meta }: CancelDeployment, state: ClusterState): EventDraft[] {
  const deployment = state.deployments.get(deploymentId);
  if (!deployment) throw new CommandRejected('not-found', `DeploymentPlan ${deploymentId} does not exist`);
  if (!rollback) {
    // It ends the chain its DeploymentStarted began; the actor says who stopped it.
    return [
      draft(
        'DeploymentCancelled',
        { deploymentId, reason: 'stopped on request (force)', by: null },
        deployment.startedBy,
      ),
    ];
  }
  const events: EventDraft[] = [];
  const changes = new Map<string, AppChange>();
  for (const [appId, original] of rollbackTargets(deployment)) {
    const current = state.apps.get(appId);
    let decision: AppDecision;
    if (!original) decision = current ? deleteDecision(state, current) : { events: [], change: null };
    else if (!current) decision = createDecision(original, meta.now, undefined, state.apps);
    else decision = changeDecision(state, current, original, false, meta.now);
    // Back to the same spec but tasks of the other version may still run: restart them.
    if (!decision.change && original && current && hasOtherVersions(state, appId, current)) {
      decision = restartDecision(current, meta.now);
    }
    events.push(...decision.events);
    if (decision.change) changes.set(appId, decision.change);
  }
  if (changes.size === 0) {
    return [draft('DeploymentCancelled', { deploymentId, reason: 'rolled back', by: null }, deployment.startedBy)];
  }
  // Forced: cancels this deployment (and any other on the same apps) before the rollback starts.
  return withDeployment(state, meta, changes, true, events).map((event) =>
    event.type === 'DeploymentCancelled' && event.data.deploymentId === deploymentId
      ? draft('DeploymentCancelled', { ...event.data, reason: 'rolled back' })
      : event,
  );
}

function hasOtherVersions(state: ClusterState, appId: string, app: { versionInfo: { lastConfigChangeAt: string } }) {
  for (const task of state.tasks.ofApp(appId)) {
    if (task.appVersion < app.versionInfo.lastConfigChangeAt) return true;
  }
  return false;
}
