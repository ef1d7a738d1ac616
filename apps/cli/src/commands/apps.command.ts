import { Command } from 'commander';
import { appPath, displayId } from '../app-id';
import type { CliContext } from '../cli-context';
import { UsageError } from '../errors';
import { MasterReply } from '../http/master-client';
import { forceParam, withQuery } from '../http/query';
import { addJsonOption, addMasterOption, parseNonNegativeInt, masterClient } from '../options';
import { ApiApp, appFields, appRow, APPS_COLUMNS } from '../output/app-view';
import type { Output } from '../output/output';
import { DeploymentResult, deploymentNote, ignoredFieldsWarning, offsetNote } from '../output/write-result';
import { readAppDefinition } from '../read-input';

interface ApiOptions {
  readonly master?: string;
  readonly json?: boolean;
  /** Cancel the deployments that lock the app instead of failing with 409 (Marathon's ?force=true). */
  readonly force?: boolean;
}

interface DefinitionOptions extends ApiOptions {
  /** Where the app definition comes from; `-` or absent is stdin. */
  readonly file?: string;
  /** Marathon's partialUpdate: merge (true, its default) or replace the whole definition. */
  readonly partial?: boolean;
}

const FORCE_HELP = 'cancel the deployments that lock the app (otherwise a locked app is an error)';
const FILE_HELP = "JSON file with the app definition, or '-' for stdin (the default; not a terminal)";

/** `cairn apps ...`: Marathon's /v2/apps from a terminal. */
export function registerAppsCommand(program: Command, ctx: CliContext, output: Output): void {
  const apps = program
    .command('apps')
    .description('list, show, create, update, scale, restart, revert and delete apps (the /v2/apps API)');
  const client = (opts: ApiOptions) => masterClient(opts.master, ctx.env);
  const api = (command: Command) => addJsonOption(addMasterOption(command));
  // Printed in --json mode too: stderr never mixes with the JSON on stdout.
  const warnIgnored = (reply: MasterReply<unknown>) => {
    const warning = ignoredFieldsWarning(reply);
    if (warning !== undefined) output.note(warning);
  };

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
      .argument('<file>', "JSON file, or '-' for stdin")
      .option('--force', FORCE_HELP),
  ).action(async (file: string, opts: ApiOptions) => {
    const definition = await readAppDefinition(file, ctx.io.stdin);
    const reply = await client(opts).post<ApiApp>(withQuery('/v2/apps', forceParam(opts.force)), definition);
    warnIgnored(reply);
    if (opts.json) return output.json(reply.body);
    output.line(
      `Created app ${String(reply.body?.id ?? '?')} (version ${String(reply.body?.version ?? '?')}${offsetNote(reply)})`,
    );
  });

  api(
    apps
      .command('update')
      .description('change an existing app: merge the given fields (default) or replace its definition (PUT)')
      .argument('<id>', 'app id')
      .option('--file <file>', FILE_HELP)
      .option('--partial', 'merge the given fields into the app (the default: partialUpdate=true)')
      .option('--no-partial', 'replace the whole definition: fields left out go back to their defaults')
      .option('--force', FORCE_HELP),
  ).action(async (id: string, opts: DefinitionOptions) => {
    const definition = await readAppDefinition(opts.file, ctx.io.stdin);
    assertSameApp(id, definition, opts.file);
    const master = client(opts);
    // PUT on a missing app would create one (Marathon semantics); a typo must not. 404 -> exit 1.
    await master.get(appPath(id));
    const query = { partialUpdate: opts.partial ?? true, ...forceParam(opts.force) };
    const reply = await master.put<DeploymentResult>(withQuery(appPath(id), query), definition);
    warnIgnored(reply);
    if (opts.json) return output.json(reply.body);
    output.line(`Updating ${displayId(id)}: ${deploymentNote(reply)}`);
  });

  api(
    apps
      .command('patch')
      .description('merge the given fields into an existing app (PATCH; an unknown app is an error)')
      .argument('<id>', 'app id')
      .option('--file <file>', FILE_HELP)
      .option('--force', FORCE_HELP),
  ).action(async (id: string, opts: DefinitionOptions) => {
    const definition = await readAppDefinition(opts.file, ctx.io.stdin);
    assertSameApp(id, definition, opts.file);
    const reply = await client(opts).patch<DeploymentResult>(
      withQuery(appPath(id), forceParam(opts.force)),
      definition,
    );
    warnIgnored(reply);
    if (opts.json) return output.json(reply.body);
    output.line(`Patching ${displayId(id)}: ${deploymentNote(reply)}`);
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
    const reply = await master.put<DeploymentResult>(
      withQuery(appPath(id), { partialUpdate: true, ...forceParam(opts.force) }),
      { instances },
    );
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
    const reply = await client(opts).post<DeploymentResult>(
      withQuery(`${appPath(id)}/restart`, forceParam(opts.force)),
      {},
    );
    if (opts.json) return output.json(reply.body);
    output.line(`Restarting ${displayId(id)}: ${deploymentNote(reply)}`);
  });

  api(
    apps
      .command('versions')
      .description('list the stored versions of an app, newest first (for apps revert)')
      .argument('<id>', 'app id'),
  ).action(async (id: string, opts: ApiOptions) => {
    const reply = await client(opts).get<{ versions?: unknown[] }>(`${appPath(id)}/versions`);
    if (opts.json) return output.json(reply.body);
    const versions = reply.body?.versions ?? [];
    if (versions.length === 0) output.line('No versions.');
    for (const version of versions) output.line(String(version));
  });

  api(
    apps
      .command('revert')
      .description('roll an app back to a stored version (a new deployment to that definition)')
      .argument('<id>', 'app id')
      .argument('<version>', "a version from 'cairn apps versions ID', e.g. 2025-01-02T03:04:05.000Z")
      .option('--force', FORCE_HELP),
  ).action(async (id: string, version: string, opts: ApiOptions) => {
    // A body of only `version` is Marathon's rollback; it cannot create an app, so no GET first.
    const reply = await client(opts).put<DeploymentResult>(withQuery(appPath(id), forceParam(opts.force)), {
      version,
    });
    if (opts.json) return output.json(reply.body);
    output.line(`Reverting ${displayId(id)} to version ${version}: ${deploymentNote(reply)}`);
  });

  api(apps.command('delete').description('delete an app').argument('<id>', 'app id')).action(
    async (id: string, opts: ApiOptions) => {
      const reply = await client(opts).delete<DeploymentResult>(appPath(id));
      if (opts.json) return output.json(reply.body);
      output.line(`Deleting ${displayId(id)}: ${deploymentNote(reply)}`);
    },
  );
}

/**
 * The master takes the app id from the path and ignores the body's; a body naming another app
 * is a mistake (a file edited for one app applied to another), refused before any request.
 */
function assertSameApp(id: string, definition: Record<string, unknown>, file: string | undefined): void {
  const bodyId = definition.id;
  if (bodyId === undefined) return;
  if (typeof bodyId !== 'string' || displayId(bodyId) !== displayId(id)) {
    const source = file === undefined || file === '-' ? 'stdin' : file;
    throw new UsageError(
      `${source} defines app ${JSON.stringify(bodyId)}, not ${displayId(id)}: fix the id or drop it`,
    );
  }
}
