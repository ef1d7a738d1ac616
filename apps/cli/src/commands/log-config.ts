import { isAbsolute, relative, resolve } from 'node:path';
import type { CliContext } from '../cli-context';
import type { CairnConfig } from '../control-plane';
import { messageOf, UsageError } from '../errors';

/** Flags of master, dev and replay; each overrides its CAIRN_* variable. */
export interface LogFlags {
  readonly port?: number;
  readonly log?: 'file' | 'kafka';
  readonly dataDir?: string;
  readonly cluster?: string;
}

export function configOverrides(flags: LogFlags): Partial<CairnConfig> {
  return {
    ...(flags.port !== undefined && { port: flags.port }),
    ...(flags.log !== undefined && { log: flags.log }),
    ...(flags.dataDir !== undefined && { dataDir: resolve(flags.dataDir) }),
    ...(flags.cluster !== undefined && { cluster: flags.cluster }),
  };
}

/** The master's own loadConfig, so env and flags mean the same as everywhere; a bad value is a usage error. */
export function loadConfigOrUsage(ctx: CliContext, overrides: Partial<CairnConfig>): CairnConfig {
  try {
    return ctx.controlPlane.loadConfig(ctx.env, overrides);
  } catch (error) {
    if ((error as { name?: unknown }).name === 'ConfigError')
      throw new UsageError(`bad configuration: ${messageOf(error)}`);
    throw error;
  }
}

/** `file log in ./.cairn` or `Kafka log: topic cairn.events at 127.0.0.1:9092`. */
export function describeLog(config: CairnConfig): string {
  if (config.log === 'kafka') return `Kafka log: topic ${config.cluster}.events at ${config.kafkaBrokers.join(',')}`;
  return `file log in ${displayPath(config.dataDir)}`;
}

/** Relative to the working directory when inside it (`./.cairn`), absolute otherwise. */
export function displayPath(path: string): string {
  const fromCwd = relative(process.cwd(), path);
  if (fromCwd === '') return '.';
  return fromCwd.startsWith('..') || isAbsolute(fromCwd) ? path : `./${fromCwd}`;
}
