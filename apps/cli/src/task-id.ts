/**
 * The app of a Cairn task id, without asking the master. Cairn names tasks
 * `<app path, '/' replaced by '_'>.<uuid>` (libs/domain taskIdFor; app ids never contain `_`),
 * so the app follows from the id. Ids of another shape (Marathon's `app.instance-<uuid>._app.1`,
 * a typo) give undefined: the caller then looks the task up (GET /v2/tasks) instead of guessing.
 * Not imported from libs/domain: the CLI must not load the domain library to parse a string.
 */
const CAIRN_TASK_ID = /^([a-z0-9._-]+)\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

export function appIdOfCairnTask(taskId: string): string | undefined {
  const match = CAIRN_TASK_ID.exec(taskId);
  if (!match) return undefined;
  const segments = match[1].split('_');
  if (segments.some((segment) => segment === '')) return undefined;
  return '/' + segments.join('/');
}
