import { Command } from 'commander';
import { displayId, encodedAppId } from '../app-id';
import type { CliContext } from '../cli-context';
import { addJsonOption, addMasterOption, masterClient } from '../options';
import type { Output } from '../output/output';
import { ApiQueueItem, QUEUE_COLUMNS, queueRow } from '../output/queue-view';
import { offsetNote } from '../output/write-result';

interface ApiOptions {
  readonly master?: string;
  readonly json?: boolean;
}

/** `cairn queue ...`: Marathon's launch queue (/v2/queue), the apps waiting for offers. */
export function registerQueueCommand(program: Command, ctx: CliContext, output: Output): void {
  const queue = program
    .command('queue')
    .description('apps with instances waiting to launch, and why offers do not fit (the /v2/queue API)');
  const client = (opts: ApiOptions) => masterClient(opts.master, ctx.env);
  const api = (command: Command) => addJsonOption(addMasterOption(command));

  api(
    queue.command('list', { isDefault: true }).description("list the launch queue (the default of 'cairn queue')"),
  ).action(async (opts: ApiOptions) => {
    const reply = await client(opts).get<{ queue?: ApiQueueItem[] }>('/v2/queue');
    if (opts.json) return output.json(reply.body);
    const items = reply.body?.queue ?? [];
    // The CLI's wall clock: ages are for reading, no decision depends on them.
    const nowMs = Date.now();
    if (items.length === 0) output.line('Nothing waiting to launch.');
    else
      output.table(
        QUEUE_COLUMNS,
        items.map((item) => queueRow(item, nowMs)),
      );
  });

  api(
    queue
      .command('reset-delay')
      .description('drop the launch backoff of an app so its next launch is immediate (an app not queued exits 1)')
      .argument('<app-id>', 'app id, e.g. /prod/web'),
  ).action(async (appId: string, opts: ApiOptions) => {
    const reply = await client(opts).delete<undefined>(`/v2/queue${encodedAppId(appId)}/delay`);
    // 204 without a body; `{}` keeps --json a JSON document for scripts.
    if (opts.json) return output.json(reply.body ?? {});
    output.line(
      `Reset the launch delay of ${displayId(appId)}: it launches at the next offer that fits${offsetNote(reply)}.`,
    );
  });
}
