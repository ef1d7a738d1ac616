import { Command, InvalidArgumentError } from 'commander';
import type { CliContext } from '../cli-context';
import { UsageError } from '../errors';
import { forceParam, withQuery } from '../http/query';
import { addJsonOption, addMasterOption, masterClient } from '../options';
import { ApiGroup, groupPath, groupRows, GROUPS_COLUMNS } from '../output/group-view';
import type { Output } from '../output/output';
import { DeploymentResult, deploymentNote } from '../output/write-result';
import { readJsonInput } from '../read-input';

interface ApiOptions {
  readonly master?: string;
  readonly json?: boolean;
  /** Cancel the deployments that lock the group's apps instead of failing with 409 (?force=true). */
  readonly force?: boolean;
}

const FORCE_HELP = "cancel the deployments that lock the group's apps (otherwise a locked app is an error)";

/** `cairn groups ...`: Marathon's /v2/groups from a terminal. */
export function registerGroupsCommand(program: Command, ctx: CliContext, output: Output): void {
  const groups = program
    .command('groups')
    .description('list, show, apply, scale, revert and delete groups of apps (the /v2/groups API)');
  const client = (opts: ApiOptions) => masterClient(opts.master, ctx.env);
  const api = (command: Command) => addJsonOption(addMasterOption(command));

  api(
    groups
      .command('list', { isDefault: true })
      .description("the group tree with each group's apps, dependencies and version (the default)")
      .argument('[id]', 'the group to start from (default: the root, /)'),
  ).action(async (id: string | undefined, opts: ApiOptions) => {
    const reply = await client(opts).get<ApiGroup>(groupPath(id));
    if (opts.json) return output.json(reply.body);
    output.table(GROUPS_COLUMNS, groupRows(reply.body ?? {}));
  });

  api(
    groups
      .command('show')
      .description("one group: its dependencies, version and apps (the root with '/')")
      .argument('<id>', 'group id, e.g. /prod'),
  ).action(async (id: string, opts: ApiOptions) => {
    const reply = await client(opts).get<ApiGroup>(groupPath(id));
    if (opts.json) return output.json(reply.body);
    const group = reply.body ?? {};
    output.fields([
      ['ID', group.id ?? '-'],
      ['VERSION', group.version ?? '-'],
      ['DEPENDENCIES', (group.dependencies ?? []).join(', ') || '-'],
      ['APPS', (group.apps ?? []).map((app) => `${app.id} (${app.instances ?? '?'})`).join(', ') || '-'],
      ['GROUPS', (group.groups ?? []).map((child) => child.id).join(', ') || '-'],
    ]);
  });

  api(
    groups
      .command('create')
      .description('create a group and its apps from a JSON group (POST; an existing group is an error)')
      .argument('<file>', "JSON file with the group (its id, apps, groups, dependencies), or '-' for stdin")
      .option('--force', FORCE_HELP),
  ).action(async (file: string, opts: ApiOptions) => {
    const group = await readGroup(file, ctx);
    const reply = await client(opts).post<DeploymentResult>(withQuery('/v2/groups', forceParam(opts.force)), group);
    if (opts.json) return output.json(reply.body);
    output.line(`Created group ${String(group.id)}: ${deploymentNote(reply)}`);
  });

  api(
    groups
      .command('apply')
      .description(
        'create or replace a group from a JSON group (PUT): apps and subgroups left out of its lists are removed',
      )
      .argument('<file>', "JSON file with the group, or '-' for stdin")
      .option('--force', FORCE_HELP),
  ).action(async (file: string, opts: ApiOptions) => {
    const group = await readGroup(file, ctx);
    if (typeof group.id !== 'string') throw new UsageError(`${file}: the group needs its "id" (e.g. "/prod")`);
    const reply = await client(opts).put<DeploymentResult>(
      withQuery(groupPath(group.id), forceParam(opts.force)),
      group,
    );
    if (opts.json) return output.json(reply.body);
    output.line(`Applying group ${group.id}: ${deploymentNote(reply)}`);
  });

  api(
    groups
      .command('scale')
      .description("multiply the instances of every app in a group (Marathon's scaleBy, rounded up)")
      .argument('<id>', 'group id')
      .argument('<factor>', 'a number of at least 0, e.g. 2 or 0.5', parseFactor)
      .option('--force', FORCE_HELP),
  ).action(async (id: string, factor: number, opts: ApiOptions) => {
    const reply = await client(opts).put<DeploymentResult>(withQuery(groupPath(id), forceParam(opts.force)), {
      scaleBy: factor,
    });
    if (opts.json) return output.json(reply.body);
    output.line(`Scaling group ${id} by ${factor}: ${deploymentNote(reply)}`);
  });

  api(
    groups.command('versions').description('the versions of a group, newest first').argument('<id>', 'group id'),
  ).action(async (id: string, opts: ApiOptions) => {
    const reply = await client(opts).get<unknown[]>(`${groupPath(id)}/versions`);
    if (opts.json) return output.json(reply.body);
    for (const version of Array.isArray(reply.body) ? reply.body : []) output.line(String(version));
  });

  api(
    groups
      .command('revert')
      .description('bring a group back to one of its versions (a new deployment to it)')
      .argument('<id>', 'group id')
      .argument('<version>', "a version from 'cairn groups versions ID'")
      .option('--force', FORCE_HELP),
  ).action(async (id: string, version: string, opts: ApiOptions) => {
    const reply = await client(opts).put<DeploymentResult>(withQuery(groupPath(id), forceParam(opts.force)), {
      version,
    });
    if (opts.json) return output.json(reply.body);
    output.line(`Reverting group ${id} to version ${version}: ${deploymentNote(reply)}`);
  });

  api(
    groups
      .command('delete')
      .description('delete a group with every app and group in it')
      .argument('<id>', 'group id')
      .option('--force', FORCE_HELP),
  ).action(async (id: string, opts: ApiOptions) => {
    const reply = await client(opts).delete<DeploymentResult>(withQuery(groupPath(id), forceParam(opts.force)));
    if (opts.json) return output.json(reply.body);
    output.line(`Deleting group ${id}: ${deploymentNote(reply)}`);
  });
}

async function readGroup(file: string, ctx: CliContext): Promise<Record<string, unknown>> {
  const group = await readJsonInput(file, ctx.io.stdin);
  if (typeof group !== 'object' || group === null || Array.isArray(group)) {
    throw new UsageError(`${file === '-' ? 'stdin' : file}: a group must be a JSON object`);
  }
  return group as Record<string, unknown>;
}

function parseFactor(raw: string): number {
  const factor = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(factor) || factor < 0) {
    throw new InvalidArgumentError('expected a number of at least 0');
  }
  return factor;
}
