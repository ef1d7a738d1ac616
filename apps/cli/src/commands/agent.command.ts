import { Command } from 'commander';
import { UsageError } from '../errors';

/** `cairn agent` is reserved: the agents issue builds it. Until then it says so and starts nothing. */
export function registerAgentCommand(program: Command): void {
  program
    .command('agent')
    .description('run an agent on this machine (not built yet)')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      throw new UsageError(
        "'cairn agent' is not built yet: agents (registering resources, running tasks) arrive with the agents issue. " +
          'Nothing was started.',
      );
    });
}
