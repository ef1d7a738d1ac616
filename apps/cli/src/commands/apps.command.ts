import { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { UsageError } from '../errors';
import { MasterClient, MasterReply } from '../http/master-client';
import { addJsonOption, addMasterOption, parseNonNegativeInt, resolveMasterUrl } from '../options';
import { ApiApp, appFields, appRow, APPS_COLUMNS } from '../output/app-view';
import type { Output } from '../output/output';
import { readJsonInput } from '../read-input';

interface ApiOptions {
  readonly master?: string;
  readonly json?: boolean;
  /** Cancel the deployments that lock the app instead of failing with 409 (Marathon's ?force=true). */
  readonly force?: boolean;
}

const FORCE_HELP = 'cancel the deployments that lock the app (otherwise a locked app is an error)';
const forceQuery = (opts: ApiOptions) => (opts.force ? '&force=true' : '');

interface DeploymentReply {
  readonly deploymentId?: string;
  readonly version?: string;
}

/** `cairn apps ...`: Marathon's /v2/apps from a terminal. */
export function registerAppsCommand(program: Command, ctx: CliContext, output: Output): void {
  const apps = program.command('apps').description('list, show, create, scale and delete apps (the /v2/apps API)');
  const client = (opts: ApiOptions) => new MasterClient(resolveMasterUrl(opts.master, ctx.env));
  const api = (command: Command) => addJsonOption(addMasterOption(command));

  api(apps.command('list').description('list apps')).action(async (opts: ApiOptions) => {
    const reply = await client(opts).get<{ apps?: ApiApp[] }>('/v2/apps');
    if (opts.json) return output.json(reply.body);
    const list = reply.body?.apps ?? [];
    if (list.length === 0) output.line('No apps.');
    else output.table(APPS_COLUMNS, list.map(appRow));
  });

  api(apps.command('show').description('show one app').argument('<id>', 'app id, e.g. /prod/web')).action(
    async (id: string, opts: ApiOptions) => {
      const reply = await client(opts).get<{ app?: ApiApp }>(appPath(id));
      if (opts.json) return output.json(reply.body);
      output.fields(appFields(reply.body?.app ?? {}));
    },
  );

  api(
    apps
      .command('create')
      .description('create an app from a JSON app definition (Marathon AppDefinition)')
      .argument('<file>', "JSON file, or '-' for stdin"),
  ).action(async (file: string, opts: ApiOptions) => {
    const definition = await readJsonInput(file, ctx.io.stdin);
    if (typeof definition !== 'object' || definition === null || Array.isArray(definition)) {
      const got = Array.isArray(definition) ? 'an array' : definition === null ? 'null' : typeof definition;
      throw new UsageError(`${file === '-' ? 'stdin' : file}: an app definition must be a JSON object, got ${got}`);
    }
    const reply = await client(opts).post<ApiApp>('/v2/apps', definition);
    if (opts.json) return output.json(reply.body);
    output.line(
      `Created app ${String(reply.body?.id ?? '?')} (version ${String(reply.body?.version ?? '?')}${offsetNote(reply)})`,
    );
  });

  api(
    apps
      .command('scale')
      .description('set the number of instances of an app')
      .argument('<id>', 'app id')
      .argument('<instances>', 'number of instances, 0 or more', parseNonNegativeInt)
      .option('--force', FORCE_HELP),
  ).action(async (id: string, instances: number, opts: ApiOptions) => {
    const master = client(opts);
    // PUT on a missing app would create one (Marathon semantics); a typo must not. 404 -> exit 1.
    await master.get(appPath(id));
    const reply = await master.put<DeploymentReply>(`${appPath(id)}?partialUpdate=true${forceQuery(opts)}`, {
      instances,
    });
    if (opts.json) return output.json(reply.body);
    output.line(`Scaling ${displayId(id)} to ${instances} instance(s): ${deploymentNote(reply)}`);
  });

  api(
    apps
      .command('restart')
      .description('restart every task of an app, rolling, as its upgradeStrategy allows')
      .argument('<id>', 'app id')
      .option('--force', FORCE_HELP),
  ).action(async (id: string, opts: ApiOptions) => {
    const reply = await client(opts).post<DeploymentReply>(
      `${appPath(id)}/restart${opts.force ? '?force=true' : ''}`,
      {},
    );
    if (opts.json) return output.json(reply.body);
    output.line(`Restarting ${displayId(id)}: ${deploymentNote(reply)}`);
  });

  api(apps.command('delete').description('delete an app').argument('<id>', 'app id')).action(
    async (id: string, opts: ApiOptions) => {
      const reply = await client(opts).delete<DeploymentReply>(appPath(id));
      if (opts.json) return output.json(reply.body);
      output.line(`Deleting ${displayId(id)}: ${deploymentNote(reply)}`);
    },
  );
}

/** `/v2/apps/prod/web` for `prod/web` or `/prod/web`; each segment URL-encoded. */
export function appPath(id: string): string {
  const segments = id.split('/').filter((segment) => segment !== '');
  if (segments.length === 0) throw new UsageError(`'${id}' is not an app id (expected e.g. /prod/web)`);
  return '/v2/apps/' + segments.map(encodeURIComponent).join('/');
}

function displayId(id: string): string {
  return '/' + id.split('/').filter(Boolean).join('/');
}

function deploymentNote(reply: MasterReply<DeploymentReply>): string {
  const body = reply.body ?? {};
  return `deployment ${body.deploymentId ?? '-'}, version ${body.version ?? '-'}${offsetNote(reply)}`;
}

function offsetNote(reply: MasterReply<unknown>): string {
  return reply.offset === undefined ? '' : `, log offset ${reply.offset}`;
}
