import type { AppDefinition } from '@cairn/events';

/**
 * Marathon's AppInfo: the stored definition plus the embedded counts, deployments and tasks
 * that Marathon always embeds. Tasks arrive with the agents issue; until then they are zero.
 */
export function appInfo(app: AppDefinition): Record<string, unknown> {
  return {
    ...app,
    tasksStaged: 0,
    tasksRunning: 0,
    tasksHealthy: 0,
    tasksUnhealthy: 0,
    deployments: [],
    tasks: [],
  };
}
