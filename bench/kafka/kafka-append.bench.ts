import type { Producer } from 'kafkajs';
import type { AppendRecord } from '@cairn/eventlog';
import { KafkaEventLog } from '@cairn/eventlog/kafka/kafka-event-log';
import { toKafkaMessage } from '@cairn/eventlog/kafka/kafka-record';
import { type Benchmark, type BenchContext, requireKafka, sized } from '../core/bench-context';
import type { BenchResult, BenchRow } from '../core/bench-result';
import { compare, row, type Sample, type Side, target } from '../core/compare';
import { millisSince, secondsSince } from '../core/stats';
import { meanValueBytes, scaledRecords } from '../fixtures/event-factory';
import { bareKafka, bareTransactionalProducer, createEventsTopic, deleteTopics } from './bare-kafka';

const BATCH_SIZES = [1, 10, 100] as const;
const SIZES = {
  full: { transactionsPerRepetition: 150, warmUpTransactions: 20, repetitions: 3 },
  smoke: { transactionsPerRepetition: 3, warmUpTransactions: 0, repetitions: 1 },
};
/** perf.md, "Where Cairn aims": durable appends with group commit. */
const TARGET_EVENTS_PER_S = 10_000;
const POOL_RECORDS = 2_000;

/**
 * Transactional appends, one transaction per batch, one at a time (the sequencer never has two
 * appends in flight): KafkaEventLog.append (which also waits until its commit marker is below the
 * LSO, so readers see the batch when append returns) against a bare kafkajs transactional producer
 * with the same transactional id scheme, retry, producer settings, topic settings and records.
 */
export const kafkaAppendBenchmark: Benchmark = {
  name: 'kafka-append',
  needsKafka: true,
  async run(ctx: BenchContext): Promise<BenchResult> {
    const brokers = requireKafka(ctx);
    const sizes = sized(ctx, SIZES);
    const pool = scaledRecords(POOL_RECORDS, 500, 'bench-kafka-append');
    const cairnCluster = `${ctx.runId}-append-cairn`;
    const bareCluster = `${ctx.runId}-append-bare`;
    const log = new KafkaEventLog({ brokers, cluster: cairnCluster, writer: true, instance: 'bench' });
    const kafka = bareKafka(brokers, 'cairn-bench-bare');
    const bareTopic = await createEventsTopic(kafka, bareCluster);
    let producer: Producer | undefined;
    const rows: BenchRow[] = [];
    try {
      await log.open();
      producer = await bareTransactionalProducer(kafka, bareCluster);
      for (const batchSize of BATCH_SIZES) {
        ctx.log(`kafka-append: batches of ${batchSize}`);
        const batches = slices(pool, batchSize);
        const count = (rep: number) => (rep < 0 ? sizes.warmUpTransactions : sizes.transactionsPerRepetition);
        const subject: Side = {
          label: 'KafkaEventLog.append',
          run: (rep) => timeBatches(batches, count(rep), (batch) => log.append(batch)),
        };
        const bare = producer;
        const baseline: Side = {
          label: 'kafkajs transaction: send + commit',
          run: (rep) =>
            timeBatches(batches, count(rep), async (batch) => {
              const tx = await bare.transaction();
              await tx.send({ topic: bareTopic, acks: -1, messages: batch.map(toKafkaMessage) });
              await tx.commit();
            }),
        };
        const comparison = await compare({
          subject,
          baseline,
          repetitions: sizes.repetitions,
          warmUp: sizes.warmUpTransactions > 0,
        });
        rows.push(
          row({
            case: `batch of ${batchSize} event${batchSize === 1 ? '' : 's'}`,
            unit: 'events/s',
            comparison,
            targets:
              batchSize === BATCH_SIZES[BATCH_SIZES.length - 1]
                ? [
                    target(
                      `≥ ${TARGET_EVENTS_PER_S.toLocaleString('en-US')} events/s`,
                      !ctx.smoke,
                      comparison.subject.perSecond >= TARGET_EVENTS_PER_S,
                    ),
                  ]
                : [],
            details: { transactionsPerRepetition: sizes.transactionsPerRepetition },
          }),
        );
      }
    } finally {
      await producer?.disconnect().catch(() => undefined);
      await log.close().catch(() => undefined);
      await deleteTopics(brokers, [log.topic, bareTopic]).catch((e: Error) =>
        ctx.log(`kafka-append: topic cleanup failed: ${e.message}`),
      );
    }
    return {
      name: 'kafka-append',
      title: 'Kafka append (transactional, one batch per transaction)',
      method:
        'KafkaEventLog.append of pre-encoded AppScaled envelopes, one append at a time, vs a bare kafkajs transactional ' +
        'producer (same transactional id scheme, retry, producer and topic settings, same records) doing transaction → send → commit',
      settings: {
        transactionsPerRepetition: sizes.transactionsPerRepetition,
        warmUpTransactions: sizes.warmUpTransactions,
        repetitions: sizes.repetitions,
        valueBytesPerEvent: Math.round(meanValueBytes(pool)),
        latency: 'per append / per transaction, ms',
      },
      rows,
      notes: [
        'KafkaEventLog.append returns only once its commit marker is below the LSO (readers see the batch). That wait ' +
          'also lets the coordinator finish the transaction, so the next one does not meet CONCURRENT_TRANSACTIONS; the ' +
          "bare producer's back-to-back transactions often do, and pay kafkajs's retry backoff. At small batches the " +
          'ratio can therefore exceed 1.',
      ],
    };
  },
};

async function timeBatches(
  batches: readonly AppendRecord[][],
  count: number,
  write: (batch: AppendRecord[]) => Promise<unknown>,
): Promise<Sample> {
  const latenciesMs: number[] = [];
  let events = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const batch = batches[i % batches.length];
    const t = process.hrtime.bigint();
    await write(batch);
    latenciesMs.push(millisSince(t));
    events += batch.length;
  }
  return { ops: events, seconds: secondsSince(start), latenciesMs };
}

function slices(pool: readonly AppendRecord[], size: number): AppendRecord[][] {
  const out: AppendRecord[][] = [];
  for (let i = 0; i + size <= pool.length; i += size) out.push(pool.slice(i, i + size));
  return out;
}
