import { Command, Option } from 'commander';
import { appPath, displayId } from '../app-id';
import type { CliContext } from '../cli-context';
import { UsageError } from '../errors';
import { MasterClient, MasterReply } from '../http/master-client';
import { forceParam, withQuery } from '../http/query';
import { addJsonOption, addMasterOption, parseNonNegativeInt, masterClient } from '../options';
import type { Output } from '../output/output';
import { ApiDryRun, planLines } from '../output/plan-view';
import { ignoredFieldsWarning } from '../output/write-result';
import { readAppDefinition } from '../read-input';

interface PlanOptions {
  readonly master?: string;
  readonly json?: boolean;
  readonly force?: boolean;
  readonly partial?: boolean;
  readonly scale?: [string, string];
  readonly restart?: string;
  readonly delete?: string;
}

/**
 * `cairn plan`: what a write would do, without doing it (`?dryRun=true`): the events it would
 * append, its deployment's steps, and what the scheduler's next tick would launch, kill or not place.
 */
export function registerPlanCommand(program: Command, ctx: CliContext, output: Output): void {
  addJsonOption(
    addMasterOption(
      program
        .command('plan')
        .description("show what a write would do, without doing it (the master's dry run: nothing is written)")
        .argument('[file]', "an app definition (JSON file, or '-' for stdin): its create or update")
        .addOption(new Option('--scale <id-and-instances...>', 'plan a scale: --scale ID N'))
        .option('--restart <id>', 'plan a rolling restart of the app')
        .option('--delete <id>', 'plan the deletion of the app')
        .option('--no-partial', 'FILE replaces the whole definition (fields left out go back to their defaults)')
        .option('--force', 'plan the write as forced (cancelling the deployments that lock the app)'),
    ),
  ).action(async (file: string | undefined, opts: PlanOptions) => {
    const master = masterClient(opts.master, ctx.env);
    const reply = await planRequest(master, file, opts, ctx);
    const warning = ignoredFieldsWarning(reply);
    if (warning !== undefined) output.note(warning);
    if (opts.json) return output.json(reply.body);
    if (reply.body?.dryRun !== true)
      throw new UsageError('the master did not answer with a dry run: is it a Cairn master?');
    for (const line of planLines(reply.body)) output.line(line);
  });
}

async function planRequest(
  master: MasterClient,
  file: string | undefined,
  opts: PlanOptions,
  ctx: CliContext,
): Promise<MasterReply<ApiDryRun | undefined>> {
  const chosen = [file !== undefined, opts.scale !== undefined, opts.restart !== undefined, opts.delete !== undefined];
  if (chosen.filter(Boolean).length !== 1) {
    throw new UsageError('plan exactly one write: FILE, --scale ID N, --restart ID or --delete ID');
  }
  const query = { dryRun: true, ...forceParam(opts.force) };
  if (opts.scale) {
    const [id, instances] = scaleArgs(opts.scale);
    // PUT on a missing app would create one (Marathon semantics): a typo must be a 404 (exit 1).
    await master.get(appPath(id));
    return master.put(withQuery(appPath(id), { ...query, partialUpdate: true }), { instances });
  }
  if (opts.restart) return master.post(withQuery(`${appPath(opts.restart)}/restart`, query), {});
  if (opts.delete) return master.delete(withQuery(appPath(opts.delete), query));
  const definition = await readAppDefinition(file, ctx.io.stdin);
  if (typeof definition.id !== 'string' || definition.id === '') {
    throw new UsageError(`${file === '-' ? 'stdin' : file} has no app id: plan needs it to name the app`);
  }
  // A create or an update: PUT creates a missing app, as Marathon's PUT /v2/apps/{id} does.
  return master.put(withQuery(appPath(definition.id), { ...query, partialUpdate: opts.partial ?? true }), definition);
}

function scaleArgs(values: readonly string[]): [string, number] {
  if (values.length !== 2)
    throw new UsageError(`--scale takes an app id and a number of instances, e.g. --scale /web 3`);
  const [id, raw] = values as [string, string];
  try {
    return [displayId(id), parseNonNegativeInt(raw)];
  } catch {
    throw new UsageError(`--scale ${id} ${raw}: the number of instances must be 0 or more`);
  }
}
