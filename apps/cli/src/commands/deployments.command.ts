import { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { MasterClient } from '../http/master-client';
import { addJsonOption, addMasterOption, resolveMasterUrl } from '../options';
import type { Output } from '../output/output';

interface ApiOptions {
  readonly master?: string;
  readonly json?: boolean;
  readonly force?: boolean;
}

interface DeploymentView {
  readonly id: string;
  readonly version: string;
  readonly affectedApps: string[];
  readonly currentStep: number;
  readonly totalSteps: number;
  readonly currentActions: { action: string; app: string }[];
}

interface ProgressView {
  readonly progress?: { action: string; app: string; waitingFor: string | null }[];
}

/** `cairn deployments ...`: Marathon's /v2/deployments, with what each one waits for (/v1). */
export function registerDeploymentsCommand(program: Command, ctx: CliContext, output: Output): void {
  const deployments = program
    .command('deployments')
    .description('list deployments in progress, roll them back or stop them (the /v2/deployments API)');
  const client = (opts: ApiOptions) => new MasterClient(resolveMasterUrl(opts.master, ctx.env));
  const api = (command: Command) => addJsonOption(addMasterOption(command));

  api(deployments.command('list').description('list deployments in progress and what they wait for')).action(
    async (opts: ApiOptions) => {
      const master = client(opts);
      const reply = await master.get<DeploymentView[]>('/v2/deployments');
      if (opts.json) return output.json(reply.body);
      const list = reply.body ?? [];
      if (list.length === 0) {
        output.line('No deployments in progress.');
        return;
      }
      const rows: string[][] = [];
      for (const d of list) {
        const detail = await master.get<ProgressView>(`/v1/deployments/${encodeURIComponent(d.id)}`);
        const waiting = (detail.body?.progress ?? []).map((p) => `${p.action} ${p.app}: ${p.waitingFor ?? 'done'}`);
        rows.push([d.id, d.affectedApps.join(','), `${d.currentStep}/${d.totalSteps}`, waiting.join('; ')]);
      }
      output.table(['ID', 'APPS', 'STEP', 'WAITING FOR'], rows);
    },
  );

  api(
    deployments
      .command('cancel')
      .description('roll a deployment back (a new deployment to the previous versions), or --force to just stop it')
      .argument('<id>', 'deployment id')
      .option('--force', 'stop where it is, without rolling back'),
  ).action(async (id: string, opts: ApiOptions) => {
    const reply = await client(opts).delete<{ deploymentId?: string }>(
      `/v2/deployments/${encodeURIComponent(id)}${opts.force ? '?force=true' : ''}`,
    );
    if (opts.json) return output.json(reply.body ?? {});
    output.line(
      opts.force ? `Stopped deployment ${id}.` : `Rolling back ${id}: deployment ${reply.body?.deploymentId ?? '-'}`,
    );
  });
}
