import { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { LocalFailureError, messageOf, UsageError } from '../errors';
import type { Output } from '../output/output';

/**
 * `cairn agent`: runs an agent on this machine until SIGTERM/SIGINT, which leave its tasks
 * running (they are detached), or SIGUSR1, which kills them first (what `cairn dev` sends).
 */
export function registerAgentCommand(program: Command, ctx: CliContext, output: Output): void {
  program
    .command('agent')
    .description('run an agent: register resources with the master, run its tasks as real processes')
    .option('--master <urls>', 'master URL(s), comma-separated (env CAIRN_MASTER, default http://127.0.0.1:8080)')
    .option('--work-dir <dir>', 'sandboxes, checkpoints and pending status updates (required)')
    .option('--resources <spec>', "e.g. 'cpus:4;mem:8192;disk:10000;ports:[31000-32000]' (default: detected)")
    .option('--hostname <name>', 'the host name it advertises (default: this machine)')
    .option('--attributes <list>', 'e.g. rack=a,zone=1')
    .option('--port <port>', 'port of its sandbox files server (default 5051; 0 picks one)')
    .option('--ip <address>', 'address of the files server')
    .option('--token-file <file>', 'file holding the agent token (else env CAIRN_AGENT_TOKEN)')
    .action(async (flags: Record<string, string | undefined>) => {
      const agentModule = await import('../../../agent/src/main');
      let options;
      try {
        options = agentModule.resolveAgentOptions(flags, ctx.env);
      } catch (error) {
        if (error instanceof agentModule.AgentOptionsError) throw new UsageError(error.message);
        throw error;
      }
      let agent;
      try {
        agent = await agentModule.startAgent(options);
      } catch (error) {
        throw new LocalFailureError(`the agent could not start: ${messageOf(error)}`, { cause: error });
      }
      output.note(
        `Cairn agent ${options.hostname} works in ${options.workDir}, masters: ${options.masters.join(', ')}.`,
      );
      const leave = () => void agent.close();
      const killTasks = () => void agent.close({ killTasks: true });
      process.once('SIGTERM', leave);
      process.once('SIGINT', leave);
      process.once('SIGUSR1', killTasks);
      try {
        ctx.exitCode = await agent.done;
      } finally {
        process.off('SIGTERM', leave);
        process.off('SIGINT', leave);
        process.off('SIGUSR1', killTasks);
      }
    });
}
