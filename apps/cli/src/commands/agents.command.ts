import { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { addJsonOption, addMasterOption, masterClient } from '../options';
import { agentRow, AGENTS_COLUMNS, ApiAgent } from '../output/agent-view';
import type { Output } from '../output/output';

interface AgentsOptions {
  readonly master?: string;
  readonly json?: boolean;
}

/** `cairn agents`: the agents the master knows (/v1/agents), with their resources in use. */
export function registerAgentsCommand(program: Command, ctx: CliContext, output: Output): void {
  addJsonOption(addMasterOption(program.command('agents')))
    .description('list agents: status, connection, resources used/total, ports, tasks (/v1/agents)')
    .action(async (opts: AgentsOptions) => {
      const master = masterClient(opts.master, ctx.env);
      const reply = await master.get<{ agents?: ApiAgent[] }>('/v1/agents');
      if (opts.json) return output.json(reply.body);
      const agents = reply.body?.agents ?? [];
      if (agents.length === 0) output.line('No agents.');
      else output.table(AGENTS_COLUMNS, agents.map(agentRow));
    });
}
