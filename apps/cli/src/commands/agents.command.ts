import { Command, InvalidArgumentError } from 'commander';
import type { CliContext } from '../cli-context';
import { NotFoundError, UsageError } from '../errors';
import type { MasterClient } from '../http/master-client';
import { addJsonOption, addMasterOption, masterClient } from '../options';
import { agentRow, AGENTS_COLUMNS, ApiAgent } from '../output/agent-view';
import type { Output } from '../output/output';
import { offsetNote } from '../output/write-result';

interface AgentsOptions {
  readonly master?: string;
  readonly json?: boolean;
}

/** POST /v1/agents/{id}/drain's answer. */
interface DrainReply {
  readonly agentId: string;
  readonly drain: { state: string; startedAt: string; deadline: string | null } | null;
  readonly deployments: string[];
}

/**
 * `cairn agents` (list): the agents the master knows (/v1/agents), with their resources in use and
 * their maintenance; `cairn agents drain ID [--deadline S]` and `cairn agents reactivate ID`.
 */
export function registerAgentsCommand(program: Command, ctx: CliContext, output: Output): void {
  const agents = program.command('agents').description('agents: list them, drain one for maintenance, reactivate it');
  const api = (command: Command) => addJsonOption(addMasterOption(command));

  api(
    agents
      .command('list', { isDefault: true })
      .description('list agents: status, drain, connection, resources used/total, ports, tasks (/v1/agents)'),
  ).action(async (opts: AgentsOptions) => {
    const master = masterClient(opts.master, ctx.env);
    const reply = await master.get<{ agents?: ApiAgent[] }>('/v1/agents');
    if (opts.json) return output.json(reply.body);
    const list = reply.body?.agents ?? [];
    if (list.length === 0) output.line('No agents.');
    else output.table(AGENTS_COLUMNS, list.map(agentRow));
  });

  api(
    agents
      .command('drain <agent>')
      .description(
        "maintenance: no more tasks placed on the agent, its tasks replaced elsewhere within each app's upgradeStrategy, then killed (<agent>: id, id prefix or hostname)",
      )
      .option('--deadline <seconds>', 'kill what still runs there after this many seconds', parseSeconds)
      .option('--force', 'cancel the deployments that lock its apps instead of refusing'),
  ).action(async (agent: string, opts: AgentsOptions & { deadline?: number; force?: boolean }) => {
    const master = masterClient(opts.master, ctx.env);
    const agentId = await resolveAgent(master, agent);
    const query = opts.force ? '?force=true' : '';
    const reply = await master.post<DrainReply>(
      `/v1/agents/${encodeURIComponent(agentId)}/drain${query}`,
      opts.deadline === undefined ? {} : { deadlineSeconds: opts.deadline },
    );
    if (opts.json) return output.json(reply.body);
    const { drain, deployments } = reply.body;
    const moving =
      deployments.length === 0 ? 'nothing to move' : `deployment ${deployments.join(', ')} moves its tasks`;
    const deadline = drain?.deadline ? `; what remains is killed at ${drain.deadline}` : '';
    output.line(`Agent ${agentId} is ${drain?.state ?? 'DRAINING'}: ${moving}${deadline}${offsetNote(reply)}.`);
  });

  api(
    agents
      .command('reactivate <agent>')
      .description('end maintenance: tasks may be placed on the agent again (<agent>: id, id prefix or hostname)'),
  ).action(async (agent: string, opts: AgentsOptions) => {
    const master = masterClient(opts.master, ctx.env);
    const agentId = await resolveAgent(master, agent);
    const reply = await master.post<{ changed: boolean }>(`/v1/agents/${encodeURIComponent(agentId)}/reactivate`, {});
    if (opts.json) return output.json(reply.body);
    output.line(
      reply.body.changed
        ? `Agent ${agentId} is active again${offsetNote(reply)}.`
        : `Agent ${agentId} was not in maintenance: nothing to do.`,
    );
  });
}

/** A whole id, else the one agent whose id starts with it or whose hostname it is (as `cairn agents` shows them). */
async function resolveAgent(master: MasterClient, given: string): Promise<string> {
  const reply = await master.get<{ agents?: ApiAgent[] }>('/v1/agents');
  const agents = (reply.body?.agents ?? []).filter(
    (a): a is ApiAgent & { agentId: string } => typeof a.agentId === 'string',
  );
  if (agents.some((a) => a.agentId === given)) return given;
  const matches = agents.filter((a) => a.agentId.startsWith(given) || a.hostname === given);
  if (matches.length === 1) return matches[0]!.agentId;
  if (matches.length === 0)
    throw new NotFoundError(`no agent has the id, id prefix or hostname '${given}' (cairn agents lists them)`);
  throw new UsageError(
    `'${given}' names ${matches.length} agents (${matches.map((a) => a.agentId).join(', ')}): give more of the id`,
  );
}

function parseSeconds(raw: string): number {
  const seconds = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(seconds) || seconds < 0) {
    throw new InvalidArgumentError('must be a number of seconds, at least 0');
  }
  return seconds;
}
