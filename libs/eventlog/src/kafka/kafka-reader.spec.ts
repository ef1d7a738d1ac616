import type { Admin, Kafka } from 'kafkajs';
import { KafkaReaderSession } from './kafka-reader';
import { READER_RESTARTS_MAX } from './kafka-options';

// The restart back-off is real time; here it is instant.
jest.mock('node:timers/promises', () => ({ setTimeout: () => Promise.resolve() }));

type Handler = (event: { payload: Record<string, unknown> }) => void;

/** A kafkajs consumer that does nothing but remember its config and handlers. */
function fakeKafka() {
  const handlers = new Map<string, Handler>();
  let restartOnFailure: (() => Promise<boolean>) | undefined;
  const consumer = {
    events: { GROUP_JOIN: 'join', END_BATCH_PROCESS: 'end-batch', CRASH: 'crash' },
    on: (event: string, handler: Handler) => handlers.set(event, handler),
    connect: () => Promise.resolve(),
    subscribe: () => Promise.resolve(),
    run: () => Promise.resolve(),
    seek: () => undefined,
    disconnect: () => Promise.resolve(),
  };
  const kafka = {
    consumer: (config: { retry: { restartOnFailure: () => Promise<boolean> } }) => {
      restartOnFailure = config.retry.restartOnFailure;
      return consumer;
    },
  } as unknown as Kafka;
  return {
    kafka,
    restart: () => restartOnFailure!(),
    progress: (lastOffset: number) =>
      handlers.get('end-batch')!({ payload: { partition: 0, lastOffset: String(lastOffset) } }),
  };
}

describe('KafkaReaderSession restarts', () => {
  it('gives up after READER_RESTARTS_MAX crashes without progress, but progress starts the count again', async () => {
    const fake = fakeKafka();
    const session = new KafkaReaderSession(
      {
        kafka: fake.kafka,
        admin: { deleteGroups: () => Promise.resolve() } as unknown as Admin,
        cluster: 'c',
        topic: 'c.events',
        instance: 'spec',
        track: () => undefined,
      },
      { from: 0, to: Infinity },
    );
    await session.start();
    // Many broker faults over a long follow, each a few crashes, with records read in between.
    let offset = 0;
    for (let fault = 0; fault < 3; fault++) {
      for (let i = 0; i < READER_RESTARTS_MAX; i++) await expect(fake.restart()).resolves.toBe(true);
      fake.progress(offset++);
    }
    // Without progress the bound holds.
    for (let i = 0; i < READER_RESTARTS_MAX; i++) await expect(fake.restart()).resolves.toBe(true);
    await expect(fake.restart()).resolves.toBe(false);
    await session.stop();
  });
});
