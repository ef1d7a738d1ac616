import { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { LocalFailureError, messageOf } from '../errors';
import { addJsonOption, addLogOptions, parseNonNegativeInt } from '../options';
import type { Output } from '../output/output';
import { configOverrides, describeLog, LogFlags, loadConfigOrUsage } from './log-config';

interface ReplayFlags extends LogFlags {
  readonly to?: number;
  readonly json?: boolean;
}

/** `cairn replay`: fold the configured log offline (read-only, no lock) and print the state hash. */
export function registerReplayCommand(program: Command, ctx: CliContext, output: Output): void {
  addJsonOption(addLogOptions(program.command('replay')))
    .description('replay the configured event log offline (read-only) and print the state hash')
    .option('--to <offset>', 'replay up to this offset instead of the end of the log', parseNonNegativeInt)
    .action(async (flags: ReplayFlags) => {
      const config = loadConfigOrUsage(ctx, configOverrides(flags));
      let result;
      try {
        result = await ctx.controlPlane.replayLog(config, flags.to === undefined ? {} : { to: flags.to });
      } catch (error) {
        throw new LocalFailureError(`replay of the ${describeLog(config)} failed: ${messageOf(error)}`, {
          cause: error,
        });
      }
      if (flags.json) return output.json(result);
      output.fields([
        ['HASH', result.hash],
        ['OFFSET', String(result.offset)],
        ['EVENTS', String(result.events)],
      ]);
    });
}
