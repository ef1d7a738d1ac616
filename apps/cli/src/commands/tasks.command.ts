import { Command } from 'commander';
import { appPath, displayId } from '../app-id';
import type { CliContext } from '../cli-context';
import { NotFoundError, UsageError } from '../errors';
import { MasterClient, MasterReply } from '../http/master-client';
import { forceParam, withQuery } from '../http/query';
import { addJsonOption, addMasterOption, masterClient } from '../options';
import type { Output } from '../output/output';
import { ApiTask, taskRow, TASKS_COLUMNS } from '../output/task-view';
import { DeploymentResult, deploymentNote } from '../output/write-result';
import { appIdOfCairnTask } from '../task-id';

interface TasksOptions {
  readonly master?: string;
  readonly json?: boolean;
}

interface KillOptions extends TasksOptions {
  readonly app?: string;
  readonly all?: boolean;
  readonly host?: string;
  readonly scale?: boolean;
  readonly wipe?: boolean;
  readonly force?: boolean;
}

/** A kill answers the killed task(s), or with --scale the deployment that lowers `instances`. */
type KillReply = DeploymentResult & { readonly task?: ApiTask; readonly tasks?: ApiTask[] };

/** `cairn tasks [APP_ID]`: Marathon's /v2/tasks, or one app's /v2/apps/{id}/tasks; `tasks kill`. */
export function registerTasksCommand(program: Command, ctx: CliContext, output: Output): void {
  const tasks = addJsonOption(addMasterOption(program.command('tasks')))
    .description(
      "list tasks that are not terminal, of every app or of one (/v2/tasks, /v2/apps/{id}/tasks); 'tasks kill' kills",
    )
    .argument(
      '[app-id]',
      "only the tasks of this app, e.g. /prod/web (an unknown app exits 1; an app named kill: '/kill')",
    )
    .action(async (appId: string | undefined, opts: TasksOptions) => {
      const master = masterClient(opts.master, ctx.env);
      const path = appId === undefined ? '/v2/tasks' : `${appPath(appId)}/tasks`;
      const reply = await master.get<{ tasks?: ApiTask[] }>(path);
      if (opts.json) return output.json(reply.body);
      const tasks = reply.body?.tasks ?? [];
      // The CLI's wall clock: ages are for reading, no decision depends on them.
      const nowMs = Date.now();
      if (tasks.length === 0) output.line('No tasks.');
      else
        output.table(
          TASKS_COLUMNS,
          tasks.map((task) => taskRow(task, nowMs)),
        );
    });

  addJsonOption(addMasterOption(tasks.command('kill')))
    .description(
      'kill one task (its app replaces it unless --scale), or with --app APP --all every task of an app ' +
        '(DELETE /v2/apps/{id}/tasks[/{taskId}])',
    )
    .argument('[task-id]', "a task id from 'cairn tasks'")
    .option('--app <app-id>', "the task's app (found from the task id when left out); required with --all")
    .option('--all', 'kill every task of --app (or only those on --host)')
    .option('--host <hostname>', 'with --all: only the tasks on this agent host')
    .option('--scale', "also lower the app's instances, so nothing replaces the task(s)")
    .option('--wipe', 'also forget the instance (its reservations and volumes); a new one replaces it')
    .option('--force', 'cancel the deployments that lock the app (otherwise a locked app is an error)')
    .action(async (taskId: string | undefined, _opts: KillOptions, command: Command) => {
      // The parent's --master/--json count too: `cairn tasks --master URL kill T`.
      const opts = command.optsWithGlobals<KillOptions>();
      const target = killTarget(taskId, opts);
      const master = masterClient(opts.master, ctx.env);
      const query = { host: opts.host, scale: opts.scale, wipe: opts.wipe, ...forceParam(opts.force) };
      if (target.kind === 'all') {
        const reply = await master.delete<KillReply>(withQuery(`${appPath(target.appId)}/tasks`, query));
        if (opts.json) return output.json(reply.body);
        return reportKillAll(output, reply, target.appId, opts.host);
      }
      const appId = opts.app ?? (await appOfTask(master, target.taskId));
      const path = `${appPath(appId)}/tasks/${encodeURIComponent(target.taskId)}`;
      const reply = await master.delete<KillReply>(withQuery(path, query));
      if (opts.json) return output.json(reply.body);
      reportKillOne(output, reply, target.taskId, appId);
    });
}

type KillTarget = { readonly kind: 'one'; readonly taskId: string } | { readonly kind: 'all'; readonly appId: string };

/** What to kill, from the arguments alone: a contradiction is a usage error (exit 2) before any request. */
function killTarget(taskId: string | undefined, opts: KillOptions): KillTarget {
  // Marathon answers 400 to both; refused here first, so nothing is killed by a half-read command.
  if (opts.scale && opts.wipe) {
    throw new UsageError(
      '--scale and --wipe cannot be combined: --scale lowers instances, --wipe replaces the instance',
    );
  }
  if (opts.all) {
    if (taskId !== undefined) throw new UsageError(`give a task id or --all, not both (got ${taskId} and --all)`);
    if (opts.app === undefined) throw new UsageError('--all needs --app APP: the app whose tasks to kill');
    return { kind: 'all', appId: opts.app };
  }
  if (opts.host !== undefined) throw new UsageError('--host only goes with --app APP --all');
  if (taskId === undefined) throw new UsageError('give a task id to kill, or --app APP --all');
  return { kind: 'one', taskId };
}

/** The app of a task: from a Cairn task id, else the task as the master lists it (404 -> exit 1). */
async function appOfTask(master: MasterClient, taskId: string): Promise<string> {
  const derived = appIdOfCairnTask(taskId);
  if (derived !== undefined) return derived;
  const reply = await master.get<{ tasks?: ApiTask[] }>('/v2/tasks');
  const appId = (reply.body?.tasks ?? []).find((task) => task.id === taskId)?.appId;
  if (typeof appId !== 'string') {
    throw new NotFoundError(`no task ${taskId} among the tasks the master lists (it may have ended already)`);
  }
  return appId;
}

function reportKillOne(output: Output, reply: MasterReply<KillReply>, taskId: string, appId: string): void {
  if (reply.body?.deploymentId !== undefined) {
    output.line(`Killing task ${taskId} and scaling ${displayId(appId)} down: ${deploymentNote(reply)}`);
    return;
  }
  const task = reply.body?.task ?? {};
  const where = typeof task.host === 'string' ? ` on ${task.host}` : '';
  output.line(`Killing task ${taskId} of ${displayId(appId)}${where}.`);
}

function reportKillAll(output: Output, reply: MasterReply<KillReply>, appId: string, host: string | undefined): void {
  const scope = `${displayId(appId)}${host === undefined ? '' : ` on ${host}`}`;
  if (reply.body?.deploymentId !== undefined) {
    output.line(`Killing the tasks of ${scope} and scaling it down: ${deploymentNote(reply)}`);
    return;
  }
  const killed = reply.body?.tasks ?? [];
  if (killed.length === 0) return void output.line(`No tasks of ${scope} to kill.`);
  output.line(`Killing ${killed.length} task(s) of ${scope}:`);
  const nowMs = Date.now();
  output.table(
    TASKS_COLUMNS,
    killed.map((task) => taskRow(task, nowMs)),
  );
}
