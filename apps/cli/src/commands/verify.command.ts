import { Command } from 'commander';
import type { CliContext } from '../cli-context';
import type { CairnConfig } from '../control-plane';
import { LocalFailureError, messageOf } from '../errors';
import { ExitCode } from '../exit-codes';
import { addJsonOption, addLogOptions, masterClient } from '../options';
import type { Output } from '../output/output';
import { ProgressBar } from '../output/progress-bar';
import { verifyFailureLines, verifySummary } from '../output/verify-view';
import { configOverrides, describeLog, LogFlags, loadConfigOrUsage } from './log-config';

interface VerifyFlags extends LogFlags {
  readonly brokers?: string;
  readonly master?: string;
  readonly json?: boolean;
}

/**
 * `cairn verify`: checks the configured log read-only (no lock, nobody fenced; a copy of a data
 * dir or a topic with no master running will do) and names the first offset where it fails:
 * integrity (the file log's checksums, the hash chain, every record an event) and fold
 * determinism (the replay's state hash against each SnapshotWritten and, with --master, a live
 * master's). docs/verify.md.
 */
export function registerVerifyCommand(program: Command, ctx: CliContext, output: Output): void {
  addJsonOption(addLogOptions(program.command('verify')))
    .description('check the event log (read-only): its hash chain, checksums, and that replay folds the recorded state')
    .option('--brokers <list>', 'Kafka brokers, comma-separated (implies --log kafka; env KAFKA_BROKERS)')
    .option('--master <url>', "also compare with this running master's state hash (GET /v1/state/hash)")
    .action(async (flags: VerifyFlags) => {
      const config = loadConfigOrUsage(ctx, overridesOf(flags));
      // Taken first: the master's offset is then within the log's end that verify reads.
      const leader = flags.master === undefined ? undefined : await leaderHash(flags.master, ctx.env);
      const progress = new ProgressBar(ctx.io.stderr);
      let report;
      try {
        report = await ctx.controlPlane.verifyLog(config, {
          leader,
          onProgress: (p) => progress.update(p.pass, p.offset, p.end),
        });
      } catch (error) {
        throw new LocalFailureError(`verify of the ${describeLog(config)} failed: ${messageOf(error)}`, {
          cause: error,
        });
      } finally {
        progress.finish();
      }
      if (flags.json) output.json(report);
      else output.fields(verifySummary(report));
      if (report.failure) {
        output.error(verifyFailureLines(report));
        ctx.exitCode = ExitCode.VerifyFailed;
      }
    });
}

function overridesOf(flags: VerifyFlags): Partial<CairnConfig> {
  const brokers = flags.brokers
    ?.split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  return { ...configOverrides(flags), ...(brokers && { log: 'kafka' as const, kafkaBrokers: brokers }) };
}

async function leaderHash(flag: string, env: NodeJS.ProcessEnv): Promise<{ hash: string; offset: number }> {
  const reply = await masterClient(flag, env).get<{ hash: string; offset: number }>('/v1/state/hash');
  return { hash: reply.body.hash, offset: reply.body.offset };
}
