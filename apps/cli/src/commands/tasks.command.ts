import { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { MasterClient } from '../http/master-client';
import { addJsonOption, addMasterOption, resolveMasterUrl } from '../options';
import type { Output } from '../output/output';
import { ApiTask, taskRow, TASKS_COLUMNS } from '../output/task-view';
import { appPath } from '../app-id';

interface TasksOptions {
  readonly master?: string;
  readonly json?: boolean;
}

/** `cairn tasks [APP_ID]`: Marathon's /v2/tasks, or one app's /v2/apps/{id}/tasks. */
export function registerTasksCommand(program: Command, ctx: CliContext, output: Output): void {
  addJsonOption(addMasterOption(program.command('tasks')))
    .description('list tasks that are not terminal, of every app or of one (/v2/tasks, /v2/apps/{id}/tasks)')
    .argument('[app-id]', 'only the tasks of this app, e.g. /prod/web (an unknown app exits 1)')
    .action(async (appId: string | undefined, opts: TasksOptions) => {
      const master = new MasterClient(resolveMasterUrl(opts.master, ctx.env));
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
}
