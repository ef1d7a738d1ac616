import { createHash, randomBytes } from 'node:crypto';
import { KafkaSnapshotStore, SNAPSHOT_CHUNK_BYTES } from './kafka-snapshot-store';
import { SnapshotCorruptError, type SnapshotMeta } from './snapshot-store';

// A real broker is required: these tests fail, never skip, without one (`npm test` starts one).
const BROKERS = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);
if (BROKERS.length === 0) {
  throw new Error(
    'KAFKA_BROKERS is not set: the Kafka snapshot tests need a broker (npm run kafka:start, or npm test)',
  );
}

jest.setTimeout(60_000);

const stores: KafkaSnapshotStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

const uniqueCluster = () => `it-snap-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

function storeFor(cluster: string, keep = 2): KafkaSnapshotStore {
  const store = new KafkaSnapshotStore({ brokers: BROKERS, cluster, instance: 'int', keep });
  stores.push(store);
  return store;
}

function snapshot(offset: number, body: Buffer): SnapshotMeta {
  return {
    offset,
    eventId: `event-${offset}`,
    hash: 'd'.repeat(64),
    format: 1,
    events: offset + 1,
    bytes: body.length,
    sha256: createHash('sha256').update(body).digest('hex'),
    writtenAt: '2026-01-01T00:00:00.000Z',
  };
}

describe('KafkaSnapshotStore (real broker)', () => {
  it('stores a snapshot larger than a Kafka message in chunks and reads it back byte for byte', async () => {
    const cluster = uniqueCluster();
    const body = randomBytes(2 * SNAPSHOT_CHUNK_BYTES + 12345);
    await storeFor(cluster).write(snapshot(100, body), body);

    // Another master (a new store on the same cluster) finds and reads it.
    const reader = storeFor(cluster);
    const [meta] = await reader.list();
    expect(meta).toMatchObject({ offset: 100, bytes: body.length });
    expect((await reader.read(meta)).equals(body)).toBe(true);
  });

  it('keeps the newest `keep` snapshots: a new one takes the slot of the oldest', async () => {
    const store = storeFor(uniqueCluster(), 2);
    for (const offset of [10, 20, 30]) {
      const body = Buffer.from(`state at ${offset}`);
      await store.write(snapshot(offset, body), body);
    }
    const metas = await store.list();
    expect(metas.map((m) => m.offset)).toEqual([30, 20]);
    expect((await store.read(metas[1])).toString()).toBe('state at 20');
    // The snapshot at 10 was overwritten: asking for it is a clear refusal, not other bytes.
    await expect(store.read(snapshot(10, Buffer.from('state at 10')))).rejects.toThrow(SnapshotCorruptError);
  });
});
