import { FileEventLog } from '@cairn/eventlog/file/file-event-log';
import { type Benchmark, type BenchContext, sized } from '../core/bench-context';
import type { BenchResult, BenchRow } from '../core/bench-result';
import { compare, type Comparison, row, type Side, target } from '../core/compare';
import { replayThroughProjection } from '../core/replay-through-projection';
import { expectCount, median, roundSeconds as round, secondsSince } from '../core/stats';
import { eventMixRecords, type EventMix, mixDescription } from '../fixtures/event-factory';
import { SCALE_RUN_SHAPES, scaleRunLog, scaleRunSettings } from '../fixtures/scale-run-log';
import { bareReadParse } from './bare-read-parse';

interface Sizes {
  readonly mix: EventMix;
  readonly repetitions: number;
  /** Events the subject's warm-up replays (a prefix: the JIT needs no million); 0 for none. */
  readonly warmUpEvents: number;
}
const SIZES: { full: Sizes; smoke: Sizes } = {
  full: { mix: { total: 1_000_000, apps: 2_000, updateShare: 0.1 }, repetitions: 3, warmUpEvents: 100_000 },
  smoke: { mix: { total: 2_000, apps: 50, updateShare: 0.1 }, repetitions: 1, warmUpEvents: 0 },
};
/** Records per append while writing the log (one frame each); not measured. */
const FILL_BATCH_RECORDS = 1_000;
/** perf.md: replay at least half as fast as a bare read + parse loop over the same file. */
const TARGET_RATIO = 0.5;
/** The target: a million events through the projections in under this. */
const TARGET_SECONDS_PER_MILLION = 10;

/**
 * Start-up replay on the file log: open (as a master does: lock, scan and check the last segment),
 * read every record, decode it with the codec (validate, upcast) and fold it through the
 * ProjectionRunner; against reading the same segment files whole and JSON.parse-ing each record.
 */
export const fileReplayBenchmark: Benchmark = {
  name: 'file-replay',
  needsKafka: false,
  async run(ctx: BenchContext): Promise<BenchResult> {
    const { mix, repetitions, warmUpEvents } = sized(ctx, SIZES);
    const dir = ctx.dirs.make('file-replay');
    ctx.log(`file-replay: writing ${mix.total.toLocaleString('en-US')} events`);
    const { valueBytes, writeSeconds } = await writeLog(dir, mix);
    ctx.log('file-replay: measuring');
    const appScaled = await measureReplay({ dir, events: mix.total, repetitions, warmUpEvents, apps: mix.apps });

    const scaleRun = await scaleRunLog({
      shape: sized(ctx, SCALE_RUN_SHAPES),
      cache: !ctx.smoke,
      scratchDir: () => ctx.dirs.make('file-replay-scale-run'),
      log: ctx.log,
    });
    ctx.log('file-replay: measuring the scale-run log');
    // The JIT is warm from the first case: no warm-up replay of a million events more.
    const realistic = await measureReplay({
      dir: scaleRun.logDir,
      events: scaleRun.summary.events,
      repetitions,
      warmUpEvents: 0,
      apps: null,
    });
    return {
      name: 'file-replay',
      title: 'File log replay (start-up: open, read, decode, project)',
      method:
        'a fresh FileEventLog (writer, as a master) open → read from 0 → readEvents (decode, validate, upcast) → ' +
        'ProjectionRunner.apply, vs readFileSync of each segment + walking the frames + JSON.parse of each value (no CRC, no fold); warm page cache',
      settings: {
        events: mix.total,
        appsCreated: mix.apps,
        mix: mixDescription(mix),
        valueBytesPerEvent: Math.round(valueBytes / mix.total),
        eventsPerFrame: FILL_BATCH_RECORDS,
        warmUpEvents,
        repetitions,
        writeSeconds: round(writeSeconds),
        ...scaleRunSettings(scaleRun),
      },
      rows: [
        replayRow(ctx, `${mix.total.toLocaleString('en-US')} events (mostly AppScaled)`, appScaled),
        replayRow(ctx, `${scaleRun.summary.events.toLocaleString('en-US')} events (scale-run mix)`, realistic),
      ],
    };
  },
};

interface ReplayCase {
  readonly dir: string;
  readonly events: number;
  readonly repetitions: number;
  /** Events the subject's warm-up replays (a prefix); 0 for none. */
  readonly warmUpEvents: number;
  /** Apps the replayed state must hold, when known. */
  readonly apps: number | null;
}

async function measureReplay(c: ReplayCase): Promise<{ comparison: Comparison; openSeconds: number; events: number }> {
  const openSeconds: number[] = [];
  const subject: Side = {
    label: 'FileEventLog.open + read → readEvents → ProjectionRunner.apply',
    async run(rep) {
      const log = new FileEventLog({ dir: c.dir });
      const start = process.hrtime.bigint();
      await log.open();
      if (rep >= 0) openSeconds.push(secondsSince(start));
      try {
        const events = rep < 0 ? c.warmUpEvents : c.events;
        const projection = await replayThroughProjection(log, events);
        const seconds = secondsSince(start);
        expectCount('FileEventLog replay', projection.eventsApplied, events);
        if (rep >= 0 && c.apps !== null && projection.state.apps.size !== c.apps)
          throw new Error(`replay folded ${projection.state.apps.size} apps, expected ${c.apps}`);
        return { ops: projection.eventsApplied, seconds };
      } finally {
        await log.close();
      }
    },
  };
  const baseline: Side = {
    label: 'readFileSync + walk frames + JSON.parse',
    async run() {
      const start = process.hrtime.bigint();
      const parsed = bareReadParse(c.dir);
      const seconds = secondsSince(start);
      expectCount('bare read + parse', parsed, c.events);
      return { ops: parsed, seconds };
    },
  };
  const comparison = await compare({ subject, baseline, repetitions: c.repetitions, warmUp: c.warmUpEvents > 0 });
  return { comparison, openSeconds: median(openSeconds), events: c.events };
}

function replayRow(
  ctx: BenchContext,
  label: string,
  measured: { comparison: Comparison; openSeconds: number; events: number },
): BenchRow {
  const { comparison } = measured;
  const secondsPerMillion = (comparison.subject.seconds * 1_000_000) / measured.events;
  return row({
    case: label,
    unit: 'events/s',
    comparison,
    targets: [
      target(`ratio ≥ ${TARGET_RATIO}`, !ctx.smoke, comparison.ratio >= TARGET_RATIO),
      target(`1M events < ${TARGET_SECONDS_PER_MILLION} s`, !ctx.smoke, secondsPerMillion < TARGET_SECONDS_PER_MILLION),
    ],
    details: {
      cairnSeconds: round(comparison.subject.seconds),
      baselineSeconds: round(comparison.baseline.seconds),
      openSeconds: round(measured.openSeconds),
      cairnSecondsPerMillion: round(secondsPerMillion),
    },
  });
}

async function writeLog(dir: string, mix: EventMix): Promise<{ valueBytes: number; writeSeconds: number }> {
  const start = process.hrtime.bigint();
  const log = new FileEventLog({ dir });
  await log.open();
  let valueBytes = 0;
  try {
    for (const batch of eventMixRecords(mix, FILL_BATCH_RECORDS)) {
      await log.append(batch);
      for (const r of batch) valueBytes += r.value.length;
    }
  } finally {
    await log.close();
  }
  return { valueBytes, writeSeconds: secondsSince(start) };
}
