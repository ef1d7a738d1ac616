import { Command, InvalidArgumentError } from 'commander';
import type { CliContext } from '../cli-context';
import { LocalFailureError, messageOf, UsageError } from '../errors';
import { ExitCode } from '../exit-codes';
import { listenForInterrupt } from '../interrupt';
import type { Output } from '../output/output';

/** The most simulated agents one process runs (each holds a command stream). */
export const MAX_SIMULATED_AGENTS = 10_000;
/** Launch → TASK_RUNNING of a simulated task. */
export const SIMULATED_RUN_UP_MS = 10;
const KEEP_ALIVE_INTERVAL_MS = 60_000;
/** The simulator's seed unless `--seed` names one: the same seed, the same fates. */
export const DEFAULT_SIMULATOR_SEED = 'cairn-simulated';

/** Flags as commander gives them: strings, except those with a parser. */
interface AgentCommandFlags {
  master?: string;
  workDir?: string;
  resources?: string;
  hostname?: string;
  attributes?: string;
  port?: string;
  ip?: string;
  tokenFile?: string;
  simulated?: number;
  taskSeconds?: number;
  failureRate?: number;
  healthyAfter?: number;
  unhealthyRate?: number;
  seed?: string;
}

const SIMULATION_FLAGS = [
  ['taskSeconds', '--task-seconds'],
  ['failureRate', '--failure-rate'],
  ['healthyAfter', '--healthy-after'],
  ['unhealthyRate', '--unhealthy-rate'],
  ['seed', '--seed'],
] as const;
const PROCESS_AGENT_FLAGS = [
  ['workDir', '--work-dir'],
  ['port', '--port'],
  ['ip', '--ip'],
] as const;

/**
 * `cairn agent`: runs an agent on this machine until SIGTERM/SIGINT, which leave its tasks
 * running (they are detached), or SIGUSR1, which kills them first (what `cairn dev` sends).
 * With `--simulated N`: N simulated agents in this process (apps/agent/src/simulated) until
 * SIGINT/SIGTERM.
 */
export function registerAgentCommand(program: Command, ctx: CliContext, output: Output): void {
  program
    .command('agent')
    .description('run an agent: register resources with the master, run its tasks as real processes')
    .option('--master <urls>', 'master URL(s), comma-separated (env CAIRN_MASTER, default http://127.0.0.1:8080)')
    .option('--work-dir <dir>', 'sandboxes, checkpoints and pending status updates (required)')
    .option('--resources <spec>', "e.g. 'cpus:4;mem:8192;disk:10000;ports:[31000-32000]' (default: detected)")
    .option(
      '--hostname <name>',
      'the host name it advertises (default: this machine; with --simulated the prefix, sim)',
    )
    .option('--attributes <list>', 'e.g. rack=a,zone=1')
    .option('--port <port>', 'port of its sandbox files server (default 5051; 0 picks one)')
    .option('--ip <address>', 'address of the files server')
    .option('--token-file <file>', 'file holding the agent token (else env CAIRN_AGENT_TOKEN)')
    .option(
      '--simulated <n>',
      `run N simulated agents in this process, sim-1 … sim-N (at most ${MAX_SIMULATED_AGENTS})`,
      parseAgentCount,
    )
    .option(
      '--task-seconds <s>',
      'simulated: tasks finish S seconds after RUNNING (default: run until killed)',
      parseSeconds,
    )
    .option('--failure-rate <f>', 'simulated: share of tasks, 0-1, that end TASK_FAILED (default 0)', parseRate)
    .option(
      '--healthy-after <s>',
      'simulated: tasks with health checks report healthy S seconds after RUNNING (default 0)',
      parseSeconds,
    )
    .option(
      '--unhealthy-rate <f>',
      'simulated: share of tasks, 0-1, whose health checks fail instead (default 0)',
      parseRate,
    )
    .option('--seed <seed>', `simulated: seed choosing which tasks fail (default ${DEFAULT_SIMULATOR_SEED})`)
    .action(async (flags: AgentCommandFlags) => {
      if (flags.simulated !== undefined) {
        await runSimulatedAgents(ctx, output, flags, flags.simulated);
        return;
      }
      const misplaced = SIMULATION_FLAGS.find(([key]) => flags[key] !== undefined);
      if (misplaced) throw new UsageError(`${misplaced[1]} applies only with --simulated N`);
      await runAgent(ctx, output, flags);
    });
}

async function runAgent(ctx: CliContext, output: Output, flags: AgentCommandFlags): Promise<void> {
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
  output.note(`Cairn agent ${options.hostname} works in ${options.workDir}, masters: ${options.masters.join(', ')}.`);
  const leave = () => void agent.close();
  const killTasks = () => void agent.close({ killTasks: true });
  process.once('SIGTERM', leave);
  process.once('SIGINT', leave);
  process.once('SIGUSR1', killTasks);
  const orphaned = exitWithParent(output, () => agent.close({ killTasks: true }));
  try {
    ctx.exitCode = await agent.done;
  } finally {
    process.off('SIGTERM', leave);
    process.off('SIGINT', leave);
    process.off('SIGUSR1', killTasks);
    orphaned.dispose();
  }
}

/**
 * `--simulated N`: every flag is checked before anything starts (usage errors exit 2), then the
 * agents register and wait for the master as long as it takes; Ctrl-C (or SIGTERM) closes them
 * and exits 0, also while they are still connecting.
 */
async function runSimulatedAgents(ctx: CliContext, output: Output, flags: AgentCommandFlags, count: number) {
  const misplaced = PROCESS_AGENT_FLAGS.find(([key]) => flags[key] !== undefined);
  if (misplaced)
    throw new UsageError(
      `${misplaced[1]} does not apply to --simulated agents (they have no files server or work dir)`,
    );
  const simulated = await import('../../../agent/src/simulated');
  let connection;
  try {
    connection = simulated.resolveSimulatedConnection(flags, ctx.env);
  } catch (error) {
    if (error instanceof simulated.AgentOptionsError) throw new UsageError(error.message);
    throw error;
  }
  const { hostnamePrefix, masters } = connection;
  const interrupt = listenForInterrupt(ctx.io, output);
  // The agents' clock timers are unref'd: while no master answers, nothing else would keep the
  // process alive until Ctrl-C.
  const keepAlive = setInterval(() => undefined, KEEP_ALIVE_INTERVAL_MS);
  try {
    output.note(
      `Starting ${count} simulated agent${count === 1 ? '' : 's'} (${hostnamePrefix}-1 … ${hostnamePrefix}-${count}), ` +
        `masters: ${masters.join(', ')}; waiting for them to connect.`,
    );
    let agents;
    try {
      agents = await simulated.startSimulatedAgents({
        masterUrl: masters,
        count,
        token: connection.token,
        resources: connection.resources,
        attributes: connection.attributes,
        hostnamePrefix,
        runUpMs: SIMULATED_RUN_UP_MS,
        runTimeMs: flags.taskSeconds === undefined ? undefined : flags.taskSeconds * 1000,
        failureRate: flags.failureRate,
        healthyAfterMs: flags.healthyAfter === undefined ? undefined : flags.healthyAfter * 1000,
        unhealthyRate: flags.unhealthyRate,
        seed: flags.seed ?? DEFAULT_SIMULATOR_SEED,
        // A master that is not up yet is waited for, as `cairn agent` waits: only Ctrl-C stops it.
        readyTimeoutMs: simulated.MAX_READY_TIMEOUT_MS,
        signal: interrupt.signal,
        logLevel: ctx.env.CAIRN_LOG_LEVEL,
      });
    } catch (error) {
      if (error instanceof simulated.SimulatedAgentsError && error.details.aborted) {
        output.note('Stopped before every simulated agent connected.');
        return;
      }
      if (error instanceof simulated.SimulatedAgentsError && error.details.tokenRefused) {
        output.error([messageOf(error)]);
        ctx.exitCode = ExitCode.Refused;
        return;
      }
      throw new LocalFailureError(`the simulated agents could not start: ${messageOf(error)}`, { cause: error });
    }
    output.line(
      `${count} simulated agent${count === 1 ? ' is' : 's are'} connected to ${masters.join(', ')}. Ctrl-C stops them.`,
    );
    await interrupt.stopped;
    output.note('Stopping...');
    const stats = agents.stats();
    await agents.close();
    output.note(
      `Stopped: ${stats.launched} tasks launched, ${stats.finished} finished, ${stats.failed} failed, ${stats.killed} killed; ` +
        `${stats.updatesAcked} status updates acked, ${stats.updatesPending} not.`,
    );
  } finally {
    clearInterval(keepAlive);
    interrupt.dispose();
  }
}

function parseAgentCount(raw: string): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value < 1 || value > MAX_SIMULATED_AGENTS) {
    throw new InvalidArgumentError(`expected a whole number of agents, 1-${MAX_SIMULATED_AGENTS}.`);
  }
  return value;
}

function parseSeconds(raw: string): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError('expected a number of seconds, 0 or more.');
  }
  return value;
}

function parseRate(raw: string): number {
  const value = Number(raw);
  if (raw.trim() === '' || !(value >= 0 && value <= 1)) {
    throw new InvalidArgumentError('expected a share between 0 and 1 (e.g. 0.1).');
  }
  return value;
}

/**
 * An agent started with an IPC channel (`cairn dev`'s) belongs to that parent: when the channel
 * disconnects, the parent is gone (killed before it could stop its agent: SIGKILL, or a group
 * SIGTERM then SIGKILL), and with it the dev master. The agent kills its tasks and exits rather
 * than run on alone, retrying a master that will not come back. A standalone `cairn agent` has
 * no channel and is not affected.
 */
function exitWithParent(output: Output, stop: () => Promise<unknown>): { dispose(): void } {
  if (!process.channel) return { dispose: () => undefined };
  process.channel.unref(); // the channel alone must not keep the agent alive
  const onDisconnect = () => {
    // Its stderr is a pipe to the dead parent: a failed write must not crash the agent mid-stop.
    process.stderr.on('error', () => undefined);
    output.note('cairn dev, which started this agent, is gone: killing its tasks and stopping.');
    void stop();
  };
  process.once('disconnect', onDisconnect);
  return { dispose: () => process.off('disconnect', onDisconnect) };
}
