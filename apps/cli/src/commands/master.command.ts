import { join } from 'node:path';
import { Command } from 'commander';
import type { CliContext } from '../cli-context';
import type { CairnConfig, RunningMaster } from '../control-plane';
import { LocalFailureError, messageOf } from '../errors';
import { ExitCode } from '../exit-codes';
import { listenForInterrupt } from '../interrupt';
import { addLogOptions, parsePort } from '../options';
import type { Output } from '../output/output';
import { configOverrides, describeLog, displayPath, LogFlags, loadConfigOrUsage } from './log-config';
import { DEV_TASK_PORTS, LocalAgent, parseTaskPorts, startLocalAgent } from '../local/local-agent';

/** `cairn master` and `cairn dev`: the control plane in this process, until Ctrl-C or until it must stop. */
export function registerMasterCommands(program: Command, ctx: CliContext, output: Output): void {
  const serveCommand = (name: string) =>
    addLogOptions(program.command(name).option('--port <port>', 'HTTP port (env CAIRN_PORT, default 8080)', parsePort));

  serveCommand('master')
    .description('run the control plane (REST API, event log writer) in this process')
    .action(async (flags: LogFlags) => {
      const config = loadConfigOrUsage(ctx, configOverrides(flags));
      ctx.exitCode = await serve(ctx, output, config, 'Cairn master', banner(config));
    });

  serveCommand('dev')
    .option(
      '--task-ports <ranges>',
      `host ports the dev agent gives tasks, e.g. 20000-20999 or 20000-20099,21000-21099 (env CAIRN_TASK_PORTS, default ${DEV_TASK_PORTS})`,
    )
    .description(
      'run a development cluster: the master (on the file log in ./.cairn unless --log or CAIRN_LOG says kafka) and an agent',
    )
    .action(async (flags: LogFlags & { taskPorts?: string }) => {
      // The same configuration as `cairn master`: the environment applies, flags override it.
      const config = loadConfigOrUsage(ctx, configOverrides(flags));
      const taskPorts = parseTaskPorts(flags.taskPorts ?? ctx.env.CAIRN_TASK_PORTS ?? DEV_TASK_PORTS);
      const agentLine = `local, work dir ${displayPath(join(config.dataDir, 'agent'))}, task ports ${taskPorts}`;
      ctx.exitCode = await serve(ctx, output, config, 'Cairn', banner(config, agentLine), (master) =>
        startLocalAgent({
          masterUrl: master.url,
          dataDir: config.dataDir,
          agentToken: master.agentToken,
          taskPorts,
          stderr: ctx.io.stderr,
        }),
      );
    });
}

/**
 * What an operator needs at start, in a few lines (the master's own JSON log lines go to stderr;
 * Nest's route-by-route start-up is at debug level).
 */
function banner(config: CairnConfig, agent?: string): (master: RunningMaster) => string[] {
  return (master) => [
    `log:   ${describeLog(config)}`,
    ...(agent ? [`agent: ${agent}`] : []),
    `auth:  ${describeAuth(config, master.url)}`,
  ];
}

function describeAuth(config: CairnConfig, url: string): string {
  if (config.authFile) return `tokens from ${displayPath(config.authFile)} (the CLI sends CAIRN_TOKEN)`;
  if (config.authNone) return `NONE (CAIRN_AUTH=none): anyone who reaches ${url} can read and change the cluster`;
  return `none, so the API is served on loopback only (CAIRN_AUTH_FILE turns tokens on); agents need the agent token`;
}

type Outcome = { kind: 'interrupted' } | { kind: 'done'; code: number } | { kind: 'failed'; error: unknown };

async function serve(
  ctx: CliContext,
  output: Output,
  config: CairnConfig,
  title: string,
  details: (master: RunningMaster) => readonly string[],
  startCompanion: (master: RunningMaster) => Promise<LocalAgent | undefined> = async () => undefined,
): Promise<number> {
  // Listen before starting: a Ctrl-C during boot stops the master once it is up, cleanly.
  const interrupt = listenForInterrupt(ctx.io, output);
  try {
    const master = await startOrFail(ctx, config);
    const agent = await startCompanion(master).catch(async (error: unknown) => {
      await master.close().catch(() => undefined);
      throw new LocalFailureError(`the local agent could not start: ${messageOf(error)}`, { cause: error });
    });
    if (!interrupt.signal.aborted) {
      output.line(`${title} is running at ${master.url}. Ctrl-C stops it.`);
      for (const detail of details(master)) output.line(`  ${detail}`);
    }
    const outcome = await Promise.race<Outcome>([
      interrupt.stopped.then(() => ({ kind: 'interrupted' })),
      master.done.then(
        (code) => ({ kind: 'done', code }),
        (error: unknown) => ({ kind: 'failed', error }),
      ),
    ]);
    return await stop(output, master, agent, outcome);
  } finally {
    interrupt.dispose();
  }
}

async function startOrFail(ctx: CliContext, config: CairnConfig): Promise<RunningMaster> {
  try {
    return await ctx.controlPlane.startMaster(config);
  } catch (error) {
    throw new LocalFailureError(`the master could not start (${describeLog(config)}): ${messageOf(error)}`, {
      cause: error,
    });
  }
}

/** Agent first, then the master; the exit code says why it stopped (0 after Ctrl-C). */
async function stop(output: Output, master: RunningMaster, agent: LocalAgent | undefined, outcome: Outcome) {
  if (outcome.kind === 'interrupted') output.note('Stopping...');
  const problems: string[] = [];
  await agent?.stop().catch((error: unknown) => problems.push(`local agent: ${messageOf(error)}`));
  // After `done` the master may have closed itself already; close() again only releases leftovers.
  await master.close().catch((error: unknown) => problems.push(`master: ${messageOf(error)}`));
  if (outcome.kind === 'failed') {
    throw new LocalFailureError(`the master stopped on an error: ${messageOf(outcome.error)}`, {
      cause: outcome.error,
    });
  }
  if (outcome.kind === 'interrupted' && problems.length > 0) {
    throw new LocalFailureError(`did not stop cleanly: ${problems.join('; ')}`);
  }
  if (outcome.kind === 'done') {
    output.note(`The master stopped with exit code ${outcome.code}.`);
    return outcome.code;
  }
  return ExitCode.Ok;
}
