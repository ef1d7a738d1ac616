import { Kafka, logLevel } from 'kafkajs';
import { KAFKA_RETRY } from '@cairn/eventlog/kafka/kafka-options';
import { MasterHandle, requireKafkaBrokers, startMaster, uniqueCluster } from '../harness';

jest.setTimeout(120_000);

/** docs/operations.md, "The log topic is checked at every start": a master refuses an unfit topic. */
describe('a master on an unfit log topic [kafka]', () => {
  const masters: MasterHandle[] = [];
  afterEach(async () => {
    for (const m of masters.splice(0)) if (!m.process.exitStatus()) await m.kill();
  });

  it('refuses to start on a topic with 2 partitions, compaction and a finite retention, saying how to fix it', async () => {
    const cluster = uniqueCluster();
    const kafka = new Kafka({
      brokers: requireKafkaBrokers().split(','),
      clientId: 'topic-check-e2e',
      logLevel: logLevel.NOTHING,
      retry: { ...KAFKA_RETRY },
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic: `${cluster}.events`,
            numPartitions: 2,
            replicationFactor: 1,
            configEntries: [
              { name: 'cleanup.policy', value: 'compact' },
              { name: 'retention.ms', value: '86400000' },
            ],
          },
        ],
      });
    } finally {
      await admin.disconnect();
    }

    const master = await startMaster({ backend: 'kafka', cluster, waitUntilReady: false });
    masters.push(master);
    const status = await master.exited;
    expect(status.code).not.toBe(0);
    const logs = master.stderr() + master.stdout();
    expect(logs).toContain(`the master could not start`);
    expect(logs).toContain(`Kafka topic '${cluster}.events' cannot hold a Cairn event log: it has 2 partitions`);
    expect(logs).toContain('retention.ms is 86400000; it must be -1');
    expect(logs).toContain("cleanup.policy is 'compact'; compaction would delete events");
    expect(logs).toContain(`--entity-name ${cluster}.events --add-config retention.ms=-1,cleanup.policy=delete`);
    expect(logs).toContain("Kafka cannot reduce a topic's partitions");
  });
});
