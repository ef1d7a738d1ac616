import type { CairnEvent } from '@cairn/events';
import type { ClusterState } from './state';
import { endsTask } from './tasks/task-states';

/**
 * Keeps, per app, the last event that changed what it wants: a new spec or scale, or one of its
 * tasks ending. A launch outside a deployment names it as its cause. Runs before the task evolver
 * (a terminal status removes the task, and with it the app it belonged to).
 */
export function evolveCauses(state: ClusterState, event: CairnEvent): void {
  const ref = () => ({ eventId: event.id, correlationId: event.correlationId });
  switch (event.type) {
    case 'AppCreated':
    case 'AppUpdated':
      state.demandCauses.set(event.data.app.id, ref());
      return;
    case 'AppScaled':
    case 'AppRestartRequested':
      state.demandCauses.set(event.data.appId, ref());
      return;
    case 'AppDeleted':
      state.demandCauses.delete(event.data.appId);
      return;
    case 'TaskStatusUpdated': {
      const task = state.tasks.get(event.data.taskId);
      if (task && endsTask(event.data.state) && state.apps.has(task.appId)) state.demandCauses.set(task.appId, ref());
      return;
    }
    case 'TaskUnreachableInactive': {
      // Its replacement is launched because it went inactive.
      const task = state.tasks.get(event.data.taskId);
      if (task && state.apps.has(task.appId)) state.demandCauses.set(task.appId, ref());
      return;
    }
    default:
      return;
  }
}
