import { KafkaEventLog } from '@cairn/eventlog/kafka/kafka-event-log';
import { type Benchmark, type BenchContext, requireKafka, sized } from '../core/bench-context';
import type { BenchResult } from '../core/bench-result';
import { compare, row, type Side } from '../core/compare';
import { replayThroughProjection } from '../core/replay-through-projection';
import { expectCount, roundSeconds as round, secondsSince } from '../core/stats';
import { eventMixRecords, type EventMix, mixDescription } from '../fixtures/event-factory';
import { bareConsumerReplay } from './bare-consumer-replay';
import { bareKafka, deleteTopics } from './bare-kafka';

const SIZES: {
  full: { mix: EventMix; repetitions: number; warmUp: boolean };
  smoke: { mix: EventMix; repetitions: number; warmUp: boolean };
} = {
  full: { mix: { total: 100_000, apps: 2_000, updateShare: 0.1 }, repetitions: 3, warmUp: true },
  smoke: { mix: { total: 500, apps: 20, updateShare: 0.1 }, repetitions: 1, warmUp: false },
};
/** Records per append (one transaction each) while filling the topic; not measured. */
const FILL_BATCH_RECORDS = 1_000;

/**
 * Replay from Kafka: KafkaEventLog.read through readEvents + ProjectionRunner.apply (what a
 * master starting on Kafka does) against a bare kafkajs read-committed consumer that parses
 * each value, over the same topic, in the same run.
 */
export const kafkaReplayBenchmark: Benchmark = {
  name: 'kafka-replay',
  needsKafka: true,
  async run(ctx: BenchContext): Promise<BenchResult> {
    const brokers = requireKafka(ctx);
    const { mix, repetitions, warmUp } = sized(ctx, SIZES);
    const cluster = `${ctx.runId}-replay`;
    const writer = new KafkaEventLog({ brokers, cluster, writer: true, instance: 'bench-writer' });
    const reader = new KafkaEventLog({ brokers, cluster, writer: false, instance: 'bench-reader' });
    const kafka = bareKafka(brokers, 'cairn-bench-bare-reader');
    try {
      ctx.log(`kafka-replay: writing ${mix.total.toLocaleString('en-US')} events`);
      await writer.open();
      let valueBytes = 0;
      for (const batch of eventMixRecords(mix, FILL_BATCH_RECORDS)) {
        await writer.append(batch);
        for (const r of batch) valueBytes += r.value.length;
      }
      await writer.close();
      await reader.open();

      const subject: Side = {
        label: 'KafkaEventLog.read → readEvents → ProjectionRunner.apply',
        async run() {
          const start = process.hrtime.bigint();
          const projection = await replayThroughProjection(reader);
          const seconds = secondsSince(start);
          expectCount('KafkaEventLog replay', projection.eventsApplied, mix.total);
          return { ops: projection.eventsApplied, seconds };
        },
      };
      const baseline: Side = {
        label: 'kafkajs read-committed consumer + JSON.parse',
        async run() {
          const start = process.hrtime.bigint();
          const parsed = await bareConsumerReplay(kafka, reader.topic);
          const seconds = secondsSince(start);
          expectCount('bare consumer replay', parsed, mix.total);
          return { ops: parsed, seconds };
        },
      };
      ctx.log('kafka-replay: measuring');
      const comparison = await compare({ subject, baseline, repetitions, warmUp });
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
          valueBytesPerEvent: Math.round(valueBytes / mix.total),
          transactionsWritten: Math.ceil(mix.total / FILL_BATCH_RECORDS),
          repetitions,
        },
        rows: [
          row({
            case: `${mix.total.toLocaleString('en-US')} events`,
            unit: 'events/s',
            comparison,
            details: {
              cairnSeconds: round(comparison.subject.seconds),
              baselineSeconds: round(comparison.baseline.seconds),
            },
          }),
        ],
      };
    } finally {
      await writer.close().catch(() => undefined);
      await reader.close().catch(() => undefined);
      await deleteTopics(brokers, [reader.topic]).catch((e: Error) =>
        ctx.log(`kafka-replay: topic cleanup failed: ${e.message}`),
      );
    }
  },
};
