import { Command, CommanderError } from 'commander';
import type { CliContext, CliIo } from './cli-context';
import { cliVersion } from './cli-version';
import { registerAgentCommand } from './commands/agent.command';
import { registerAgentsCommand } from './commands/agents.command';
import { registerClusterCommand } from './commands/cluster.command';
import { registerDeploymentsCommand } from './commands/deployments.command';
import { registerAppsCommand } from './commands/apps.command';
import { registerGroupsCommand } from './commands/groups.command';
import { registerEventsCommand } from './commands/events.command';
import { registerLogsCommand } from './commands/logs.command';
import { registerMasterCommands } from './commands/master.command';
import { registerPlanCommand } from './commands/plan.command';
import { registerQueueCommand } from './commands/queue.command';
import { registerReplayCommand } from './commands/replay.command';
import { registerStateCommand } from './commands/state.command';
import { registerWhyCommands } from './commands/why.command';
import { registerTasksCommand } from './commands/tasks.command';
import { registerVerifyCommand } from './commands/verify.command';
import { ControlPlane, realControlPlane } from './control-plane';
import { CliError, messageOf } from './errors';
import { EXIT_CODES_HELP, ExitCode } from './exit-codes';
import { Output } from './output/output';

export type { CliIo } from './cli-context';
export { ExitCode } from './exit-codes';

/**
 * The whole CLI as a function: parses `argv` (without `node` and the script), runs the command
 * and resolves with its exit code. It never rejects and never exits the process, so tests and
 * the e2e harness can call it in-process; main.ts is the only caller that owns the process.
 */
export async function run(
  argv: readonly string[],
  io: CliIo,
  controlPlane: ControlPlane = realControlPlane,
): Promise<number> {
  const output = new Output(io);
  const ctx: CliContext = { io, env: io.env ?? process.env, controlPlane, exitCode: ExitCode.Ok };
  try {
    await buildProgram(ctx, output).parseAsync([...argv], { from: 'user' });
    return ctx.exitCode;
  } catch (error) {
    return reportFailure(error, output, ctx.env);
  }
}

export function buildProgram(ctx: CliContext, output: Output): Command {
  // Settings made before .command() are inherited by every subcommand.
  const program = new Command('cairn')
    .description('Cairn: an event-sourced cluster manager (Mesos + Marathon on an append-only log)')
    .version(cliVersion())
    .exitOverride()
    .configureOutput({ writeOut: (text) => output.writeOut(text), writeErr: (text) => output.writeErr(text) })
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXIT_CODES_HELP);
  registerMasterCommands(program, ctx, output);
  registerAgentCommand(program, ctx, output);
  registerAppsCommand(program, ctx, output);
  registerGroupsCommand(program, ctx, output);
  registerDeploymentsCommand(program, ctx, output);
  registerAgentsCommand(program, ctx, output);
  registerTasksCommand(program, ctx, output);
  registerQueueCommand(program, ctx, output);
  registerPlanCommand(program, ctx, output);
  registerLogsCommand(program, ctx, output);
  registerEventsCommand(program, ctx, output);
  registerReplayCommand(program, ctx, output);
  registerStateCommand(program, ctx, output);
  registerWhyCommands(program, ctx, output);
  registerVerifyCommand(program, ctx, output);
  registerClusterCommand(program, ctx, output);
  return program;
}

function reportFailure(error: unknown, output: Output, env: NodeJS.ProcessEnv): number {
  const debug = Boolean(env.CAIRN_DEBUG);
  if (error instanceof CommanderError) {
    // commander has printed the message (or the help) already.
    const success = error.code === 'commander.helpDisplayed' || error.code === 'commander.version';
    return success ? ExitCode.Ok : ExitCode.Usage;
  }
  if (error instanceof CliError) {
    output.error(error.lines());
    const causeStack = (error.cause as { stack?: unknown } | undefined)?.stack;
    if (debug && typeof causeStack === 'string') output.note(causeStack);
    return error.exitCode;
  }
  // Not an expected failure: a bug, so the stack is what a report needs.
  const stack = (error as { stack?: unknown } | null)?.stack;
  output.error([
    `unexpected failure: ${messageOf(error)}`,
    debug && typeof stack === 'string' ? stack : '(set CAIRN_DEBUG=1 for the stack trace)',
  ]);
  return ExitCode.LocalFailure;
}
