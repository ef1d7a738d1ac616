import { CommandRejected, draft, EventDraft } from '../command';
import { deploymentLaunches } from '../deployments/deployment.decider';
import type { ClusterState } from '../state';
import { launchQueue } from './launch-queue';
import type { ResetLaunchDelay } from './scheduler.commands';

/**
 * Marathon answers 404 for an app with nothing waiting to launch. A queued app without a delay
 * needs no event: the reset is already true (204 all the same).
 */
export function decideResetLaunchDelay({ appId, meta }: ResetLaunchDelay, state: ClusterState): EventDraft[] {
  const queued = launchQueue(state, meta.now, deploymentLaunches(state)).some((q) => q.app.id === appId);
  if (!queued) throw new CommandRejected('not-found', `Application ${appId} not found in tasks queue.`);
  return state.launchDelays.has(appId) ? [draft('LaunchDelayReset', { appId })] : [];
}
