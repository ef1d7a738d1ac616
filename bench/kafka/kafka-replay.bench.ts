import type { Kafka } from 'kafkajs';
import { FileEventLog } from '@cairn/eventlog/file/file-event-log';
import { KafkaEventLog } from '@cairn/eventlog/kafka/kafka-event-log';
import { type Benchmark, type BenchContext, requireKafka, sized } from '../core/bench-context';
import type { BenchResult, BenchRow } from '../core/bench-result';
import { compare, type Comparison, row, type Side, target } from '../core/compare';
import { replayThroughProjection } from '../core/replay-through-projection';
import { expectCount, roundSeconds as round, secondsSince } from '../core/stats';
import { eventMixRecords, type EventMix, mixDescription } from '../fixtures/event-factory';
import { SCALE_RUN_SHAPES, scaleRunLog, scaleRunSettings } from '../fixtures/scale-run-log';
import { bareConsumerReplay } from './bare-consumer-replay';
import { bareKafka, deleteTopics } from './bare-kafka';

const SIZES: {
  full: { mix: EventMix; repetitions: number; warmUp: boolean };
  smoke: { mix: EventMix; repetitions: number; warmUp: boolean };
} = {
  full: { mix: { total: 100_000, apps: 2_000, updateShare: 0.1 }, repetitions: 3, warmUp: true },
  smoke: { mix: { total: 500, apps: 20, updateShare: 0.1 }, repetitions: 1, warmUp: false },
};
/** The floor for replay against a bare consumer (its goal is 0.7). */
const TARGET_RATIO = 0.5;
/** Records per append (one transaction each) while filling the topic; not measured. */
const FILL_BATCH_RECORDS = 1_000;

/**
 * Replay from Kafka: KafkaEventLog.read through readEvents + ProjectionRunner.apply (what a
 * master starting on Kafka does) against a bare kafkajs consumer that parses each value, over the
 * same topic, in the same run. Two logs: the synthetic one (mostly AppScaled) and the scale-run
 * log (bench/fixtures/scale-run-log.ts), its records copied byte for byte from the file log.
 */
export const kafkaReplayBenchmark: Benchmark = {
  name: 'kafka-replay',
  needsKafka: true,
  async run(ctx: BenchContext): Promise<BenchResult> {
    const brokers = requireKafka(ctx);
    const { mix, repetitions, warmUp } = sized(ctx, SIZES);
    const kafka = bareKafka(brokers, 'cairn-bench-bare-reader');
    const topics: string[] = [];
    const readers: KafkaEventLog[] = [];
    try {
      const synthetic = await withTopic(brokers, `${ctx.runId}-replay`, { topics, readers }, async (writer) => {
        ctx.log(`kafka-replay: writing ${mix.total.toLocaleString('en-US')} events`);
        let bytes = 0;
        for (const batch of eventMixRecords(mix, FILL_BATCH_RECORDS)) {
          await writer.append(batch);
          for (const r of batch) bytes += r.value.length;
        }
        return bytes;
      });
      ctx.log('kafka-replay: measuring');
      const appScaled = await measureKafkaReplay(synthetic.reader, kafka, mix.total, repetitions, warmUp);

      const scaleRun = await scaleRunLog({
        shape: sized(ctx, SCALE_RUN_SHAPES),
        cache: !ctx.smoke,
        scratchDir: () => ctx.dirs.make('kafka-replay-scale-run'),
        log: ctx.log,
      });
      const copied = await withTopic(brokers, `${ctx.runId}-replay-scale-run`, { topics, readers }, async (writer) => {
        ctx.log(`kafka-replay: copying the scale-run log (${scaleRun.summary.events.toLocaleString('en-US')} events)`);
        return copyFileLog(scaleRun.logDir, writer);
      });
      ctx.log('kafka-replay: measuring the scale-run log');
      // The JIT and the connections are warm from the first case.
      const realistic = await measureKafkaReplay(copied.reader, kafka, scaleRun.summary.events, repetitions, false);
      return {
        name: 'kafka-replay',
        title: 'Kafka replay (read to the end through the projection)',
        method:
          'KafkaEventLog.read from 0 to the LSO → readEvents (decode, validate, upcast) → ProjectionRunner.apply, vs a bare ' +
          'kafkajs read-committed consumer (fresh group, same fetch settings) that JSON.parses each value; both include joining the group',
        settings: {
          events: mix.total,
          appsCreated: mix.apps,
          mix: mixDescription(mix),
          valueBytesPerEvent: Math.round(synthetic.bytes / mix.total),
          transactionsWritten: Math.ceil(mix.total / FILL_BATCH_RECORDS),
          repetitions,
          ...scaleRunSettings(scaleRun),
        },
        rows: [
          kafkaRow(ctx, `${mix.total.toLocaleString('en-US')} events (mostly AppScaled)`, appScaled),
          kafkaRow(ctx, `${scaleRun.summary.events.toLocaleString('en-US')} events (scale-run mix)`, realistic),
        ],
      };
    } finally {
      for (const reader of readers) await reader.close().catch(() => undefined);
      await deleteTopics(brokers, topics).catch((e: Error) =>
        ctx.log(`kafka-replay: topic cleanup failed: ${e.message}`),
      );
    }
  },
};

/**
 * Fills a fresh cluster topic through a KafkaEventLog writer; resolves to a reader opened on it.
 * The topic and the reader are added to `cleanup` (the caller deletes and closes them).
 */
async function withTopic(
  brokers: string[],
  cluster: string,
  cleanup: { topics: string[]; readers: KafkaEventLog[] },
  fill: (writer: KafkaEventLog) => Promise<number>,
): Promise<{ reader: KafkaEventLog; bytes: number }> {
  const writer = new KafkaEventLog({ brokers, cluster, writer: true, instance: 'bench-writer' });
  const reader = new KafkaEventLog({ brokers, cluster, writer: false, instance: 'bench-reader' });
  cleanup.topics.push(reader.topic);
  cleanup.readers.push(reader);
  try {
    await writer.open();
    const bytes = await fill(writer);
    await writer.close();
    await reader.open();
    return { reader, bytes };
  } finally {
    await writer.close().catch(() => undefined);
  }
}

/** The file log's records (key, headers with the hash chain, value) appended as they are, a transaction per batch. */
async function copyFileLog(dir: string, writer: KafkaEventLog): Promise<number> {
  const source = new FileEventLog({ dir, readOnly: true });
  await source.open();
  let bytes = 0;
  try {
    for await (const batch of source.read({ from: 0, maxBatchRecords: FILL_BATCH_RECORDS })) {
      await writer.append(batch.map(({ key, value, headers }) => ({ key, value, headers })));
      for (const r of batch) bytes += r.value.length;
    }
  } finally {
    await source.close();
  }
  return bytes;
}

async function measureKafkaReplay(
  reader: KafkaEventLog,
  kafka: Kafka,
  events: number,
  repetitions: number,
  warmUp: boolean,
): Promise<Comparison> {
  const subject: Side = {
    label: 'KafkaEventLog.read → readEvents → ProjectionRunner.apply',
    async run() {
      const start = process.hrtime.bigint();
      const projection = await replayThroughProjection(reader);
      const seconds = secondsSince(start);
      expectCount('KafkaEventLog replay', projection.eventsApplied, events);
      return { ops: projection.eventsApplied, seconds };
    },
  };
  const baseline: Side = {
    label: 'kafkajs read-committed consumer + JSON.parse',
    async run() {
      const start = process.hrtime.bigint();
      const parsed = await bareConsumerReplay(kafka, reader.topic);
      const seconds = secondsSince(start);
      expectCount('bare consumer replay', parsed, events);
      return { ops: parsed, seconds };
    },
  };
  return compare({ subject, baseline, repetitions, warmUp });
}

function kafkaRow(ctx: BenchContext, label: string, comparison: Comparison): BenchRow {
  return row({
    case: label,
    unit: 'events/s',
    comparison,
    targets: [target(`ratio ≥ ${TARGET_RATIO}`, !ctx.smoke, comparison.ratio >= TARGET_RATIO)],
    details: {
      cairnSeconds: round(comparison.subject.seconds),
      baselineSeconds: round(comparison.baseline.seconds),
    },
  });
}
