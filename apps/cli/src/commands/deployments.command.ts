import { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { ApiRefusedError } from '../errors';
import { MasterClient } from '../http/master-client';
import { withQuery } from '../http/query';
import { addJsonOption, addMasterOption, masterClient } from '../options';
import {
  ApiDeployment,
  deploymentFields,
  deploymentRow,
  DEPLOYMENTS_COLUMNS,
  progressLines,
  stepLines,
} from '../output/deployment-view';
import type { Output } from '../output/output';
import { DeploymentResult, deploymentNote } from '../output/write-result';

interface ApiOptions {
  readonly master?: string;
  readonly json?: boolean;
  readonly force?: boolean;
}

const deploymentPath = (version: 'v1' | 'v2', id: string) => `/${version}/deployments/${encodeURIComponent(id)}`;

/** `cairn deployments ...`: Marathon's /v2/deployments, with what each one waits for (Cairn's /v1). */
export function registerDeploymentsCommand(program: Command, ctx: CliContext, output: Output): void {
  const deployments = program
    .command('deployments')
    .description('list deployments in progress, show one, roll it back or stop it (the /v2/deployments API)');
  const client = (opts: ApiOptions) => masterClient(opts.master, ctx.env);
  const api = (command: Command) => addJsonOption(addMasterOption(command));

  api(
    deployments
      .command('list', { isDefault: true })
      .description("list deployments in progress and what they wait for (the default of 'cairn deployments')"),
  ).action(async (opts: ApiOptions) => {
    const master = client(opts);
    const reply = await master.get<ApiDeployment[]>('/v2/deployments');
    if (opts.json) return output.json(reply.body);
    const list = Array.isArray(reply.body) ? reply.body : [];
    if (list.length === 0) return void output.line('No deployments in progress.');
    const progress = await progressById(master, output);
    output.table(
      DEPLOYMENTS_COLUMNS,
      list.map((d) => deploymentRow(d, progress?.get(d.id))),
    );
  });

  api(
    deployments
      .command('show')
      .description('show one deployment: its steps, the request that started it, what each action waits for')
      .argument('<id>', 'deployment id'),
  ).action(async (id: string, opts: ApiOptions) => {
    const master = client(opts);
    const detail = await master.get<ApiDeployment>(deploymentPath('v1', id)).catch(async (error: unknown) => {
      // A master without Cairn's /v1 answers 404 too: fall back to Marathon's list, without progress.
      if (!(error instanceof ApiRefusedError) || error.request.status !== 404) throw error;
      const all = await master.get<ApiDeployment[]>('/v2/deployments');
      const found = (Array.isArray(all.body) ? all.body : []).find((d) => d.id === id);
      if (found === undefined) throw error;
      output.note(`note: ${deploymentPath('v1', id)} answered 404: no progress from this master`);
      return { ...all, body: found };
    });
    if (opts.json) return output.json(detail.body);
    const deployment = detail.body ?? {};
    // The CLI's wall clock: the age is for reading, no decision depends on it.
    output.fields(deploymentFields(deployment, Date.now()));
    output.line('');
    output.line('Steps:');
    for (const line of stepLines(deployment)) output.line(`  ${line}`);
    if (Array.isArray(deployment.progress)) {
      output.line('');
      output.line('Current actions:');
      for (const line of progressLines(deployment.progress)) output.line(`  ${line}`);
    }
  });

  api(
    deployments
      .command('rollback')
      .description("undo a deployment: a new, forced deployment back to the apps' previous versions")
      .argument('<id>', 'deployment id'),
  ).action(async (id: string, opts: ApiOptions) => {
    const reply = await client(opts).delete<DeploymentResult>(deploymentPath('v2', id));
    if (opts.json) return output.json(reply.body);
    output.line(`Rolling back ${id}: ${deploymentNote(reply)}`);
  });

  api(
    deployments
      .command('cancel')
      .description('roll a deployment back (like rollback), or with --force stop it where it is')
      .argument('<id>', 'deployment id')
      .option(
        '--force',
        'stop where it is, without rolling back (--json then prints {}: the API answers 202, no body)',
      ),
  ).action(async (id: string, opts: ApiOptions) => {
    const reply = await client(opts).delete<DeploymentResult | undefined>(
      withQuery(deploymentPath('v2', id), { force: opts.force ? true : undefined }),
    );
    // 202 without a body for --force; `{}` keeps --json a JSON document for scripts.
    if (opts.json) return output.json(reply.body ?? {});
    output.line(
      opts.force
        ? `Stopped deployment ${id} where it was (no rollback).`
        : `Rolling back ${id}: ${deploymentNote(reply)}`,
    );
  });
}

/**
 * Cairn's progress of every deployment in one request (/v1/deployments), by id. Undefined when
 * the master refuses it (another master, or an older Cairn): the table then names the current
 * actions only, with a note, rather than failing the list.
 */
async function progressById(master: MasterClient, output: Output): Promise<Map<unknown, unknown[]> | undefined> {
  try {
    const reply = await master.get<{ deployments?: ApiDeployment[] }>('/v1/deployments');
    const entries = (reply.body?.deployments ?? []).map(
      (d) => [d.id, Array.isArray(d.progress) ? d.progress : []] as const,
    );
    return new Map<unknown, unknown[]>(entries);
  } catch (error) {
    if (!(error instanceof ApiRefusedError)) throw error;
    output.note(`note: no progress from /v1/deployments (HTTP ${error.request.status}): showing the current actions`);
    return undefined;
  }
}
