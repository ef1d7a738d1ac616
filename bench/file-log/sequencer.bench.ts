import { join } from 'node:path';
import { SeededIdSource } from '@cairn/common';
import { FileEventLog } from '@cairn/eventlog/file/file-event-log';
import { ProjectionRunner } from '../../apps/master/src/core/projection-runner';
import { Sequencer } from '../../apps/master/src/core/sequencer';
import { type Benchmark, type BenchContext, sized } from '../core/bench-context';
import type { BenchResult } from '../core/bench-result';
import { compare, row, type Side, target } from '../core/compare';
import { median, secondsSince } from '../core/stats';
import { AppCommandStream } from '../fixtures/app-commands';
import { APPENDERS_IN_FLIGHT } from './file-append.bench';
import { replayWritesSync } from './fsync-baseline';
import { RecordingFs, type WriteOp } from './recording-fs';

/** Issue 12: commands decided and made durable on the file log, absolute and against the same run's bare appends. */
const TARGET_COMMANDS_PER_S = 50_000;
const TARGET_RATIO = 0.2;

const SIZES = {
  full: { apps: 1_000, commandsPerRepetition: 30_000, warmUpCommands: 5_000, repetitions: 5 },
  smoke: { apps: 10, commandsPerRepetition: 200, warmUpCommands: 0, repetitions: 1 },
};

/**
 * Commands end to end on the file log: the master's Sequencer (decide → envelope → encode →
 * group-committed append → ProjectionRunner.apply → answer), with as many commands in flight as
 * the file-append benchmark has appenders; against writeSync + fdatasync of the bytes the log
 * wrote, in the batches the sequencer formed.
 */
export const sequencerBenchmark: Benchmark = {
  name: 'sequencer',
  needsKafka: false,
  async run(ctx: BenchContext): Promise<BenchResult> {
    const sizes = sized(ctx, SIZES);
    let lastOps: WriteOp[] = [];
    const eventsPerSync: number[] = [];

    const subject: Side = {
      label: 'Sequencer.submit (decide, append, project)',
      async run(rep) {
        const commands = rep < 0 ? sizes.warmUpCommands : sizes.commandsPerRepetition;
        const fs = new RecordingFs();
        const log = new FileEventLog({ dir: ctx.dirs.make('sequencer'), fs });
        await log.open();
        try {
          const { seconds, events } = await submitConcurrently(log, sizes.apps, commands);
          lastOps = fs.ops;
          if (rep >= 0) eventsPerSync.push(events / fs.syncs);
          return { ops: commands, seconds };
        } finally {
          await log.close();
        }
      },
    };
    const baseline: Side = {
      label: 'writeSync + fdatasync, same bytes and batches',
      async run(rep) {
        const commands = rep < 0 ? sizes.warmUpCommands : sizes.commandsPerRepetition;
        const seconds = replayWritesSync(join(ctx.dirs.make('sequencer-baseline'), 'baseline.log'), lastOps);
        return { ops: commands, seconds };
      },
    };

    ctx.log(`sequencer: ${APPENDERS_IN_FLIGHT} commands in flight`);
    const comparison = await compare({
      subject,
      baseline,
      repetitions: sizes.repetitions,
      warmUp: sizes.warmUpCommands > 0,
      order: 'subject-first',
    });
    return {
      name: 'sequencer',
      title: 'Commands end to end (Sequencer on the file log)',
      method:
        `${APPENDERS_IN_FLIGHT} concurrent Sequencer.submit loops (${sizes.apps.toLocaleString('en-US')} CreateApp, then partial ` +
        'UpdateApp: 9 in 10 scale, 1 in 10 change the command) through decide, encode, FileEventLog group commit and ' +
        'ProjectionRunner.apply, vs writeSync + fdatasync of the same bytes in the same batches',
      settings: {
        commandsInFlight: APPENDERS_IN_FLIGHT,
        commandsPerRepetition: sizes.commandsPerRepetition,
        appsCreated: sizes.apps,
        warmUpCommands: sizes.warmUpCommands,
        repetitions: sizes.repetitions,
      },
      rows: [
        row({
          case: `${APPENDERS_IN_FLIGHT} commands in flight, each an app event and its deployment`,
          unit: 'commands/s',
          comparison,
          targets: [
            target(
              `≥ ${TARGET_COMMANDS_PER_S.toLocaleString('en-US')} commands/s`,
              !ctx.smoke,
              comparison.subject.perSecond >= TARGET_COMMANDS_PER_S,
            ),
            target(`ratio ≥ ${TARGET_RATIO}`, !ctx.smoke, comparison.ratio >= TARGET_RATIO),
          ],
          details: { eventsPerFsync: Math.round(median(eventsPerSync) * 10) / 10 },
        }),
      ],
    };
  },
};

async function submitConcurrently(
  log: FileEventLog,
  apps: number,
  commands: number,
): Promise<{ seconds: number; events: number }> {
  const projection = new ProjectionRunner();
  let fatal: Error | undefined;
  const sequencer = new Sequencer({
    log,
    projection,
    ids: new SeededIdSource('bench-sequencer'),
    onFatal: (e) => (fatal = e),
  });
  const stream = new AppCommandStream(apps);
  let issued = 0;
  let events = 0;
  const client = async () => {
    while (issued < commands) {
      issued++;
      const outcome = await sequencer.submit(stream.next());
      // An app event, and the deployment it starts (and the one it supersedes): never nothing.
      if (outcome.events.length === 0) throw new Error('a benchmark command produced no event');
      events += outcome.events.length;
    }
  };
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: Math.min(APPENDERS_IN_FLIGHT, commands) }, client));
  const seconds = secondsSince(start);
  if (fatal) throw fatal;
  if (projection.eventsApplied !== events)
    throw new Error(`projection applied ${projection.eventsApplied} of ${events} events`);
  return { seconds, events };
}
