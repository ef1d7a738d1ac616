import { Command, InvalidArgumentError, Option } from 'commander';
import { UsageError } from './errors';
import { MasterClient } from './http/master-client';
import { DEFAULT_MASTER_URL, localMasterUrl } from '@cairn/common';

/** Argument parsers and options shared by several commands. Parse errors are usage errors (exit 2). */

export function parseNonNegativeInt(raw: string): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value)) {
    throw new InvalidArgumentError('expected a whole number, 0 or more.');
  }
  return value;
}

export function parsePort(raw: string): number {
  const value = parseNonNegativeInt(raw);
  if (value > 65535) throw new InvalidArgumentError('expected a port number, 0-65535.');
  return value;
}

export function addMasterOption(command: Command): Command {
  return command.option(
    '--master <url>',
    `master URL, or several of one cluster separated by commas (env CAIRN_MASTER, default ${DEFAULT_MASTER_URL})`,
  );
}

export function addJsonOption(command: Command): Command {
  return command.option('--json', 'print JSON for scripts instead of text');
}

/** The log options shared by master, dev and replay; they override the CAIRN_* environment. */
export function addLogOptions(command: Command): Command {
  return command
    .addOption(new Option('--log <backend>', 'event log backend (env CAIRN_LOG)').choices(['file', 'kafka']))
    .option('--data-dir <dir>', 'file log directory (env CAIRN_DATA_DIR, default ./.cairn)')
    .option('--cluster <name>', 'cluster name: Kafka topic <name>.events (env CAIRN_CLUSTER, default cairn)');
}

/** --master, else CAIRN_MASTER, else localMasterUrl (CAIRN_PORT, else the default); must be an http(s) URL. */
export function resolveMasterUrl(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const [raw, source] =
    flag !== undefined
      ? [flag, '--master']
      : env.CAIRN_MASTER
        ? [env.CAIRN_MASTER, 'CAIRN_MASTER']
        : env.CAIRN_PORT
          ? [localMasterUrl(env), 'CAIRN_PORT']
          : [DEFAULT_MASTER_URL, 'default'];
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`${source} '${raw}' is not a URL (expected e.g. ${DEFAULT_MASTER_URL})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${source} '${raw}' must be an http:// or https:// URL`);
  }
  return raw.replace(/\/+$/, '');
}

/** The client of every API command: the master from resolveMasterUrl, with CAIRN_TOKEN when set. */
export function masterClient(flag: string | undefined, env: NodeJS.ProcessEnv): MasterClient {
  return new MasterClient(resolveMasterUrl(flag, env), { token: env.CAIRN_TOKEN || undefined });
}
