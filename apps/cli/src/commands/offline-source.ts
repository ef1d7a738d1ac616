import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../cli-context';
import type { CairnConfig, OfflineLog } from '../control-plane';
import { LocalFailureError, messageOf } from '../errors';
import { ProgressBar } from '../output/progress-bar';
import { describeLog, loadConfigOrUsage } from './log-config';

/** Where a reading command reads: a master (the default), or the log itself with none running. */
export interface OfflineFlags {
  readonly dataDir?: string;
  readonly brokers?: string;
  readonly cluster?: string;
}

/** `--data-dir DIR` (a file log, or a copy of one) or `--brokers HOSTS [--cluster NAME]` (a Kafka topic). */
export function addOfflineOptions(command: Command): Command {
  return command
    .option('--data-dir <dir>', 'read this file log directly, with no master (read-only; a copy is fine)')
    .option('--brokers <hosts>', 'read the Kafka topic directly, with no master (read-only): host:port,...')
    .option('--cluster <name>', 'with --brokers: the cluster whose topic <name>.events to read (default cairn)');
}

/** The log to read directly, or null to ask the master. */
export function offlineConfig(ctx: CliContext, flags: OfflineFlags): CairnConfig | null {
  if (flags.dataDir === undefined && flags.brokers === undefined) return null;
  const brokers = flags.brokers
    ?.split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  return loadConfigOrUsage(ctx, {
    ...(flags.dataDir !== undefined ? { log: 'file', dataDir: resolve(flags.dataDir) } : {}),
    ...(brokers ? { log: 'kafka', kafkaBrokers: brokers } : {}),
    ...(flags.cluster !== undefined ? { cluster: flags.cluster } : {}),
  });
}

/** Opens the log read-only, runs `work`, closes it; an error reading it is a local failure (exit 5). */
export async function withOfflineLog<T>(
  ctx: CliContext,
  config: CairnConfig,
  work: (log: OfflineLog) => Promise<T>,
): Promise<T> {
  let log: OfflineLog;
  try {
    log = await ctx.controlPlane.openOfflineLog(config);
  } catch (error) {
    throw new LocalFailureError(`cannot open the ${describeLog(config)}: ${messageOf(error)}`, { cause: error });
  }
  try {
    return await work(log);
  } finally {
    await log.close();
  }
}

/** The one progress bar (output/progress-bar.ts) fed by a replay's progress reports. */
export function replayProgress(ctx: CliContext): {
  onProgress: (p: { offset: number; target: number }) => void;
  done: () => void;
} {
  const bar = new ProgressBar(ctx.io.stderr);
  return {
    onProgress: ({ offset, target }) => bar.update('replaying', Math.max(0, offset), Math.max(0, target)),
    done: () => bar.finish(),
  };
}
