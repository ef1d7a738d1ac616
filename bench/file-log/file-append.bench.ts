import { join } from 'node:path';
import type { AppendRecord } from '@cairn/eventlog';
import { FileEventLog } from '@cairn/eventlog/file/file-event-log';
import { type Benchmark, type BenchContext, sized } from '../core/bench-context';
import type { BenchResult } from '../core/bench-result';
import { compare, row, type Side, target } from '../core/compare';
import { median } from '../core/stats';
import { meanValueBytes, scaledRecords } from '../fixtures/event-factory';
import { replayWritesSync } from './fsync-baseline';
import { RecordingFs, type WriteOp } from './recording-fs';

/** Appends in flight at once: concurrent writers (the sequencer, status updates) sharing fsyncs. */
export const APPENDERS_IN_FLIGHT = 64;
const SIZES = {
  full: { eventsPerRepetition: 150_000, warmUpEvents: 20_000, repetitions: 5 },
  smoke: { eventsPerRepetition: 300, warmUpEvents: 0, repetitions: 1 },
};
/** perf.md, "Where Cairn aims". */
const TARGET_EVENTS_PER_S = 50_000;
const POOL_RECORDS = 4_096;

/**
 * Group commit on the file log: APPENDERS_IN_FLIGHT concurrent appenders, each appending one
 * encoded AppScaled envelope at a time through FileEventLog.append, against plain writeSync +
 * fdatasync of the very bytes the log wrote, in the very batches its group commit formed.
 */
export const fileAppendBenchmark: Benchmark = {
  name: 'file-append',
  needsKafka: false,
  async run(ctx: BenchContext): Promise<BenchResult> {
    const sizes = sized(ctx, SIZES);
    const pool = scaledRecords(POOL_RECORDS, 500, 'bench-file-append');
    let lastOps: WriteOp[] = [];
    const eventsPerSync: number[] = [];
    const bytesPerEvent: number[] = [];

    const subject: Side = {
      label: 'FileEventLog.append',
      async run(rep) {
        const events = rep < 0 ? sizes.warmUpEvents : sizes.eventsPerRepetition;
        const fs = new RecordingFs();
        const log = new FileEventLog({ dir: ctx.dirs.make('file-append'), fs });
        await log.open();
        try {
          const seconds = await appendConcurrently(log, pool, events, APPENDERS_IN_FLIGHT);
          lastOps = fs.ops;
          if (rep >= 0) {
            eventsPerSync.push(events / fs.syncs);
            bytesPerEvent.push(fs.bytesWritten / events);
          }
          return { ops: events, seconds };
        } finally {
          await log.close();
        }
      },
    };
    const baseline: Side = {
      label: 'writeSync + fdatasync, same bytes and batches',
      async run(rep) {
        const events = rep < 0 ? sizes.warmUpEvents : sizes.eventsPerRepetition;
        const seconds = replayWritesSync(join(ctx.dirs.make('fsync-baseline'), 'baseline.log'), lastOps);
        return { ops: events, seconds };
      },
    };

    ctx.log(`file-append: ${APPENDERS_IN_FLIGHT} appenders in flight`);
    const comparison = await compare({
      subject,
      baseline,
      repetitions: sizes.repetitions,
      warmUp: sizes.warmUpEvents > 0,
      order: 'subject-first',
    });
    return {
      name: 'file-append',
      title: 'File log append (group commit)',
      method:
        `${APPENDERS_IN_FLIGHT} concurrent appenders, one encoded AppScaled envelope per FileEventLog.append, vs writeSync ` +
        'of the same bytes + one fdatasync per group, replaying the batches the group commit formed',
      settings: {
        appendersInFlight: APPENDERS_IN_FLIGHT,
        eventsPerRepetition: sizes.eventsPerRepetition,
        warmUpEvents: sizes.warmUpEvents,
        repetitions: sizes.repetitions,
        valueBytesPerEvent: Math.round(meanValueBytes(pool)),
      },
      rows: [
        row({
          case: `${APPENDERS_IN_FLIGHT} appenders, 1 event per append`,
          unit: 'events/s',
          comparison,
          targets: [
            target(
              `≥ ${TARGET_EVENTS_PER_S.toLocaleString('en-US')} events/s`,
              !ctx.smoke,
              comparison.subject.perSecond >= TARGET_EVENTS_PER_S,
            ),
          ],
          details: {
            eventsPerFsync: Math.round(median(eventsPerSync) * 10) / 10,
            diskBytesPerEvent: Math.round(median(bytesPerEvent)),
          },
        }),
      ],
    };
  },
};

/** `appenders` loops, each appending one record at a time until `events` appends are done. */
async function appendConcurrently(
  log: FileEventLog,
  pool: readonly AppendRecord[],
  events: number,
  appenders: number,
): Promise<number> {
  let next = 0;
  const appender = async () => {
    while (next < events) {
      const i = next++;
      await log.append([pool[i % pool.length]]);
    }
  };
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: Math.min(appenders, events) }, appender));
  return Number(process.hrtime.bigint() - start) / 1e9;
}
