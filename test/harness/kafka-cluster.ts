import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { freePort } from './free-port';
import { REPO_ROOT } from './repo-paths';
import { tempDir } from './temp-dir';
import { CLEANUP_ORDER, onFileEnd } from './test-run';

/** One node (combined KRaft broker + controller JVM) of a cluster a test started. */
export interface KafkaNode {
  readonly nodeId: number;
  readonly port: number;
  /** `127.0.0.1:<port>` */
  readonly address: string;
  readonly dataDir: string;
  readonly logFile: string;
  readonly pid: number | null;
  readonly running: boolean;
  /** SIGKILL (a crash) by default; resolves once the JVM exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same data dir and ports; resolves once it answers describeCluster. */
  start(): Promise<unknown>;
  stop(options?: { timeoutMs?: number }): Promise<void>;
}

export interface KafkaCluster {
  /** The bootstrap list: every node, comma-separated. */
  readonly brokers: string;
  readonly clusterId: string;
  readonly nodes: readonly KafkaNode[];
  readonly startMs: number;
  stop(options?: { timeoutMs?: number }): Promise<void>;
}

interface BrokerModule {
  startCluster(options: {
    dataDir: string;
    nodes: number;
    ports: number[];
    log?: (line: string) => void;
  }): Promise<KafkaCluster>;
  CLUSTER_BROKER_SESSION_TIMEOUT_MS: number;
}

// infra/kafka/broker.js is plain CommonJS (it runs before any build) and ships no types.
const load = createRequire(__filename);
const broker = (): BrokerModule => load(join(REPO_ROOT, 'infra', 'kafka', 'broker.js')) as BrokerModule;

/** The controller fences a broker that stopped heartbeating after this long (the cluster's setting). */
export function brokerSessionTimeoutMs(): number {
  return broker().CLUSTER_BROKER_SESSION_TIMEOUT_MS;
}

const started: KafkaCluster[] = [];

/**
 * Starts a `nodes`-node KRaft cluster of its own (free ports, a temp data dir), replication factor 3
 * and min.insync.replicas 2 for every internal topic. Every node is stopped at the end of the test
 * file whatever happens (and recorded for run-tests.js's sweep while it runs).
 */
export async function startKafkaCluster(nodes = 3): Promise<KafkaCluster> {
  const ports: number[] = [];
  while (ports.length < 2 * nodes) {
    const port = await freePort();
    if (!ports.includes(port)) ports.push(port);
  }
  const cluster = await broker().startCluster({
    dataDir: tempDir(`kafka-${nodes}-nodes`),
    nodes,
    ports,
    log: (line) => process.stderr.write(`[kafka-cluster] ${line}\n`),
  });
  started.push(cluster);
  return cluster;
}

export async function stopKafkaClusters(): Promise<void> {
  await Promise.all(started.splice(0).map((c) => c.stop({ timeoutMs: 5_000 })));
}

onFileEnd(CLEANUP_ORDER.brokers, stopKafkaClusters);

/** A kafkajs admin client on `brokers` that retries briefly (a node may be down). */
export async function kafkaAdmin(brokers: string): Promise<Admin> {
  const kafka = new Kafka({
    clientId: 'cairn-fault-test',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 5_000,
    retry: { initialRetryTime: 100, maxRetryTime: 1_000, retries: 10 },
  });
  const admin = kafka.admin();
  await admin.connect();
  return admin;
}

export interface PartitionView {
  readonly leader: number;
  readonly replicas: number[];
  readonly isr: number[];
}

/** Leader, replicas and ISR of partition 0 of `topic` (node ids), as the metadata says now. */
export async function partitionZero(admin: Admin, topic: string): Promise<PartitionView> {
  const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
  const partition = metadata.topics.find((t) => t.name === topic)?.partitions.find((p) => p.partitionId === 0);
  if (!partition) throw new Error(`no partition 0 of ${topic} in the metadata`);
  return { leader: partition.leader, replicas: partition.replicas, isr: partition.isr };
}
