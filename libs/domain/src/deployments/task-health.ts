import type { TaskRecord } from '../state';

/**
 * Marathon's "healthy": running, and every health check of the task's launch alive (a task
 * launched without checks is healthy once it runs). A task being killed never counts.
 */
export function isHealthy(task: TaskRecord): boolean {
  if (task.state !== 'TASK_RUNNING' || task.killRequested) return false;
  for (const result of task.health) if (result === null || !result.alive) return false;
  return true;
}

/** Healthy and ready: what a deployment step waits for before it counts a new task. */
export function isHealthyAndReady(task: TaskRecord): boolean {
  return isHealthy(task) && task.ready;
}

/** Health checks report an unhealthy verdict (alive false on some check): Marathon's tasksUnhealthy. */
export function isUnhealthy(task: TaskRecord): boolean {
  return task.health.some((result) => result !== null && !result.alive);
}
