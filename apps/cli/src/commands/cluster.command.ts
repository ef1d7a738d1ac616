import { Command, InvalidArgumentError } from 'commander';
import type { CliContext } from '../cli-context';
import { addJsonOption, addMasterOption, masterClient } from '../options';
import type { Output } from '../output/output';
import { offsetNote } from '../output/write-result';

interface ApiOptions {
  readonly master?: string;
  readonly json?: boolean;
}

/** GET/POST /v1/cluster/version. */
interface ClusterVersionView {
  readonly clusterVersion: number;
  readonly formatLevel: number;
  readonly release: string;
  readonly instance: string;
  readonly changed?: boolean;
}

/**
 * `cairn cluster version` and `cairn cluster upgrade`: the cluster's event format level
 * (docs/operations.md, "Upgrades"). Raise it only once every master runs the new release.
 */
export function registerClusterCommand(program: Command, ctx: CliContext, output: Output): void {
  const cluster = program.command('cluster').description("the cluster's version (event format level) for upgrades");
  const client = (opts: ApiOptions) => masterClient(opts.master, ctx.env);
  const api = (command: Command) => addJsonOption(addMasterOption(command));

  api(
    cluster
      .command('version', { isDefault: true })
      .description('the cluster version, and the highest level the master asked reads'),
  ).action(async (opts: ApiOptions) => {
    const reply = await client(opts).get<ClusterVersionView>('/v1/cluster/version');
    if (opts.json) return output.json(reply.body);
    const v = reply.body;
    output.line(
      `Cluster version ${v.clusterVersion}; ${v.instance} (Cairn ${v.release}) reads up to level ${v.formatLevel}.`,
    );
  });

  api(
    cluster
      .command('upgrade')
      .description(
        'raise the cluster version once EVERY master runs the new release (default: the level the leader reads)',
      )
      .option('--to <level>', 'the level to raise to', parseLevel),
  ).action(async (opts: ApiOptions & { to?: number }) => {
    const reply = await client(opts).post<ClusterVersionView>(
      '/v1/cluster/version',
      opts.to === undefined ? {} : { version: opts.to },
    );
    if (opts.json) return output.json(reply.body);
    const v = reply.body;
    output.line(
      v.changed
        ? `Raised the cluster version to ${v.clusterVersion}${offsetNote(reply)}.`
        : `The cluster version is already ${v.clusterVersion}: nothing to do.`,
    );
  });
}

function parseLevel(raw: string): number {
  const level = Number(raw);
  if (!Number.isSafeInteger(level) || level < 1) throw new InvalidArgumentError('must be a positive integer');
  return level;
}
