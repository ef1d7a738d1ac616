import { decodeRecord, type CairnEvent, type RecordedEvent } from '@cairn/events';
import { KafkaEventLog, type LogRecord } from '@cairn/eventlog';
import type { Admin } from 'kafkajs';
import {
  AgentHandle,
  allEvents,
  appTasks,
  HttpResponse,
  MasterHandle,
  offlineReplay,
  requireWriteOffset,
  sleep,
  startAgent,
  startMaster,
  stateHash,
  TEST_MASTER_AGENT_ENV,
  uniqueCluster,
  verifyStartedLogs,
  waitFor,
  waitForRunningTasks,
} from '../harness';
import {
  brokerSessionTimeoutMs,
  kafkaAdmin,
  KafkaCluster,
  KafkaNode,
  partitionZero,
  startKafkaCluster,
} from '../harness/kafka-cluster';

/**
 * Kafka broker faults under a running Cairn cluster (issue 9, item 6): two masters, one agent, an
 * app at its target count and a stream of client writes, while brokers are SIGKILLed and restarted.
 * After the faults the whole log is read back and checked: every acknowledged write present exactly
 * once, offsets strictly increasing, every record decodes, LeaderElected terms strictly increasing
 * and every acknowledged write made under the last LeaderElected before it (never two writers); the
 * app ends at its target count with no task restarted; every master's state hash equals an offline
 * replay. Resume times (kill → first write acknowledged that was sent after the kill) are printed;
 * the bound asserted is loose (a loaded 2-core machine), the figure to read is the printed one.
 */
jest.setTimeout(420_000);

/**
 * Election timings well above a broker fault's cost (session timeout + leader moves): a broker kill
 * is not meant to depose the master leader here (it may; the checks hold either way).
 */
const FAULT_ENV = { ...TEST_MASTER_AGENT_ENV, CAIRN_ELECTION_HEARTBEAT_MS: '500', CAIRN_ELECTION_TIMEOUT_MS: '10000' };
const APP = '/faults/app';
const INSTANCES = 2;
/** Asserted: generous for a 2-core CI machine; the target (session timeout + 2 s) is printed beside it. */
const RESUME_BOUND_MS = 45_000;
const WRITE_TIMEOUT_MS = 8_000;

interface Ack {
  readonly id: string;
  readonly offset: number;
  /** `host:port` of the leader that made the write. */
  readonly leader: string;
  readonly sentAt: number;
  readonly ackedAt: number;
}

/** POSTs one new app after another (instances 0), trying the masters in turn on any failure. */
class WriteStream {
  readonly acks: Ack[] = [];
  /** Ids whose write failed ambiguously and then answered 409 on the retry: landed, unacknowledged. */
  readonly landedUnacked: string[] = [];
  failures = 0;
  /** Why writes failed, with counts (status and message), since the last `takeFailureReasons()`. */
  private reasons = new Map<string, number>();
  private stopped = false;
  private done: Promise<void> = Promise.resolve();
  private next = 1;
  private cursor = 0;

  get masterList(): readonly MasterHandle[] {
    return this.masters;
  }

  constructor(
    private readonly masters: readonly MasterHandle[],
    private readonly prefix: string,
  ) {}

  start(): void {
    this.done = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }

  takeFailureReasons(): string {
    const text = [...this.reasons].map(([reason, count]) => `  ${count} x ${reason}`).join('\n');
    this.reasons = new Map();
    return text;
  }

  private note(reason: string): void {
    const key = reason.replace(/\d+ ms/g, 'N ms').replace(/offsets? \d+(\.\.\d+)?/g, 'offsets N');
    this.reasons.set(key, (this.reasons.get(key) ?? 0) + 1);
  }

  /** The first acknowledged write sent at or after `t` (ms since epoch). */
  firstAckSentAfter(t: number): Ack | undefined {
    return this.acks.find((a) => a.sentAt >= t);
  }

  private async loop(): Promise<void> {
    let retrying = false;
    while (!this.stopped) {
      const id = `${this.prefix}/w${this.next}`;
      const master = this.masters[this.cursor % this.masters.length];
      const sentAt = Date.now();
      let res: HttpResponse | undefined;
      try {
        res = await master.http.post('/v2/apps', { id, cmd: 'sleep 1', instances: 0 }, { timeoutMs: WRITE_TIMEOUT_MS });
      } catch (error) {
        res = undefined;
        this.note(`no answer from ${master.url}: ${(error as Error).message}`);
      }
      if (res?.status === 201) {
        const via = res.headers['x-marathon-leader'];
        const leader = typeof via === 'string' ? new URL(via).host : new URL(master.url).host;
        this.acks.push({ id, offset: requireWriteOffset(res), leader, sentAt, ackedAt: Date.now() });
        this.next += 1;
        retrying = false;
      } else if (res?.status === 409 && retrying) {
        this.landedUnacked.push(id); // an earlier attempt of this very id was recorded
        this.next += 1;
        retrying = false;
      } else {
        if (res) this.note(`${res.status} from ${master.url}: ${String(res.body?.message ?? res.text).slice(0, 160)}`);
        this.failures += 1;
        retrying = true;
        this.cursor += 1;
        await sleep(100);
      }
    }
  }
}

async function role(master: MasterHandle): Promise<string | undefined> {
  try {
    const res = await master.http.get('/v1/info', { timeoutMs: 2_000 });
    return res.status === 200 ? res.body.role : undefined;
  } catch {
    return undefined;
  }
}

async function leaderOf(masters: readonly MasterHandle[]): Promise<MasterHandle> {
  return waitFor(
    async () => {
      for (const m of masters) if ((await role(m)) === 'leader') return m;
      return undefined;
    },
    { timeoutMs: 60_000, describe: 'a leading master' },
  );
}

/** Every record of the cluster's log, read from the beginning (read-committed) with Cairn's own reader. */
async function readWholeLog(brokers: string, cluster: string): Promise<LogRecord[]> {
  const log = new KafkaEventLog({ brokers: brokers.split(','), cluster, writer: false, instance: 'fault-check' });
  await log.open();
  try {
    const records: LogRecord[] = [];
    for await (const batch of log.read({ from: 0 })) records.push(...batch);
    return records;
  } finally {
    await log.close();
  }
}

/**
 * The checks after the faults: the log read back against the acknowledged writes, the app at its
 * target count, and every master's state against an offline replay.
 */
async function verify(options: {
  brokers: string;
  masters: readonly MasterHandle[];
  stream: WriteStream;
  expectedLaunches: number;
}): Promise<void> {
  const { brokers, masters, stream } = options;
  const leader = await leaderOf(masters);
  await waitForRunningTasks(leader, APP, INSTANCES, { timeoutMs: 120_000 });

  // Every master at the same offset, with the same hash as an offline replay of the log.
  // The cluster may still write (the scheduler, agent updates): compare at one offset, retrying the
  // replay until no master has moved past it.
  let compared = false;
  for (let attempt = 1; attempt <= 5 && !compared; attempt++) {
    const replay = await offlineReplay(leader);
    for (const m of masters) {
      await waitFor(async () => (await stateHash(m)).offset >= replay.offset, {
        timeoutMs: 60_000,
        describe: `${m.url} at offset ${replay.offset}`,
        onTimeout: () => m.describeLogs(),
      });
    }
    // A master may be promoting now: its lease ran out while a broker was away and it won the next
    // term, and it answers 503 until it serves again (seen once in CI, after the single broker's
    // restart). Its hash is read once it serves; an offset moved meanwhile means one more attempt.
    const hashes = await Promise.all(
      masters.map((m) =>
        waitFor(() => stateHash(m), { timeoutMs: 60_000, describe: `${m.url} to serve its state hash` }),
      ),
    );
    if (hashes.some((h) => h.offset !== replay.offset)) continue;
    expect(hashes.map((h) => h.hash)).toEqual(masters.map(() => replay.hash));
    compared = true;
  }
  expect(compared).toBe(true);

  // The log itself, decoded record by record.
  const records = await readWholeLog(brokers, leader.cluster);
  const events: RecordedEvent<CairnEvent>[] = records.map((r) => decodeRecord(r));
  for (let i = 1; i < records.length; i++) expect(records[i].offset).toBeGreaterThan(records[i - 1].offset);
  expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  const byOffset = new Map(events.map((e) => [e.offset, e]));

  const elected = events.filter((e) => e.type === 'LeaderElected');
  const created = events.filter((e) => e.type === 'AppCreated');
  const createdIds = created.map((e) => String((e.data as { app: { id: string } }).app.id));
  const twice = createdIds.filter((id, i) => createdIds.indexOf(id) !== i);
  if (twice.length > 0) {
    // What the log holds around each duplicate, and what the client saw, to tell how it happened.
    for (const id of twice) {
      const at = created.filter((_, i) => createdIds[i] === id).map((e) => e.offset);
      const around = events
        .filter((e) => e.offset >= at[0] - 8 && e.offset <= at[at.length - 1] + 3)
        .map((e) => `${e.offset}:${e.type}`);
      process.stderr.write(
        `[faults] ${id} created at offsets ${at.join(', ')}; acked: ${JSON.stringify(stream.acks.filter((a) => a.id === id))}; ` +
          `landed unacked: ${stream.landedUnacked.includes(id)}; log around: ${around.join(' ')}; ` +
          `LeaderElected at ${elected.map((e) => e.offset).join(', ')}\n${masterWarnings(masters, 0)}\n`,
      );
    }
  }
  expect(twice).toEqual([]); // nothing created twice
  const createdAt = new Map(created.map((e, i) => [createdIds[i], e]));
  for (const ack of stream.acks) {
    const event = createdAt.get(ack.id);
    expect(event).toBeDefined(); // nothing acknowledged is lost
    const last = byOffset.get(ack.offset);
    expect(last?.correlationId).toBe(event?.correlationId); // the acknowledged offset is that write's
  }
  for (const id of stream.landedUnacked) expect(createdAt.has(id)).toBe(true);

  // Never two writers: terms strictly increase, and each acknowledged write sits under its writer's term.
  const epochs = elected.map((e) => Number((e.data as { epoch: number }).epoch));
  for (let i = 1; i < epochs.length; i++) expect(epochs[i]).toBeGreaterThan(epochs[i - 1]);
  for (const ack of stream.acks) {
    const term = [...elected].reverse().find((e) => e.offset < ack.offset);
    expect({ id: ack.id, leader: (term?.data as { instance?: string } | undefined)?.instance }).toEqual({
      id: ack.id,
      leader: ack.leader,
    });
  }

  // The app: at its target count and never restarted by a broker fault.
  const launches = (await allEvents(leader, ['TaskLaunched'])).filter((e) => e.data.appId === APP);
  expect(launches).toHaveLength(options.expectedLaunches);
  const tasks = await appTasks(leader, APP);
  expect(tasks.filter((t) => t.state === 'TASK_RUNNING')).toHaveLength(INSTANCES);
}

/** Two masters on `brokers`, an agent, and the app at its target count. */
async function startCairn(brokers: string, replicationFactor: number) {
  const env = { ...FAULT_ENV, KAFKA_BROKERS: brokers, CAIRN_KAFKA_REPLICATION_FACTOR: String(replicationFactor) };
  const cluster = uniqueCluster();
  const first = await startMaster({ backend: 'kafka', cluster, env });
  await waitFor(async () => (await role(first)) === 'leader', { timeoutMs: 60_000, describe: 'a leader' });
  const second = await startMaster({ backend: 'kafka', cluster, env });
  await waitFor(async () => (await role(second)) === 'standby', { timeoutMs: 60_000, describe: 'a standby' });
  const masters = [first, second];
  const agent = await startAgent({
    masterUrl: masters.map((m) => m.url),
    hostname: 'fault-node',
    resources: 'cpus:2;mem:2048;ports:[31700-31719]',
  });
  const created = await first.http.post('/v2/apps', {
    id: APP,
    cmd: 'sleep 3600',
    cpus: 0.01,
    mem: 8,
    instances: INSTANCES,
  });
  expect(created.status).toBe(201);
  await waitForRunningTasks(second, APP, INSTANCES, { timeoutMs: 60_000 });
  return { cluster, masters, agent };
}

/** The masters' warnings, errors and leadership changes (pino JSON lines) logged since `since`, for the record. */
function masterWarnings(masters: readonly MasterHandle[], since: number): string {
  const seen = new Map<string, { first: number; count: number }>();
  for (const m of masters) {
    for (const line of m.stderr().split('\n')) {
      try {
        const entry = JSON.parse(line) as { level: number; time: number; context?: string; msg: string };
        if ((entry.level >= 40 || /leads|leader|standby|term/.test(entry.msg)) && entry.time >= since) {
          const key = `${m.url} ${entry.context ?? ''}: ${entry.msg.slice(0, 200)}`;
          const known = seen.get(key);
          if (known) known.count += 1;
          else seen.set(key, { first: entry.time - since, count: 1 });
        }
      } catch {
        // not a log entry
      }
    }
  }
  return [...seen]
    .sort((a, b) => a[1].first - b[1].first)
    .map(([key, { first, count }]) => `  +${first} ms ${key}${count > 1 ? ` (x${count})` : ''}`)
    .join('\n');
}

/** Kills `node`, waits for the first write sent after the kill to be acknowledged; returns the ms. */
async function killAndMeasure(stream: WriteStream, node: KafkaNode, kind: string): Promise<number> {
  const killedAt = Date.now();
  await node.kill('SIGKILL');
  const ack = await waitFor(async () => stream.firstAckSentAfter(killedAt), {
    timeoutMs: RESUME_BOUND_MS + 30_000,
    intervalMs: 20,
    describe: `a write acknowledged after the ${kind} broker (node ${node.nodeId}) was killed`,
  });
  const ms = ack.ackedAt - killedAt;
  // Also: the first acknowledgement of any write after the kill (one in flight at the kill included):
  // when the log took writes again, without the client's timeout and retry pause in the figure.
  const anyAck = stream.acks.find((a) => a.ackedAt > killedAt);
  const firstAckMs = anyAck ? anyAck.ackedAt - killedAt : ms;
  const target = brokerSessionTimeoutMs() + 2_000;
  process.stderr.write(
    `[faults] ${kind} broker (node ${node.nodeId}) SIGKILLed: writes resumed after ${ms} ms ` +
      `(first acknowledgement of any write after ${firstAckMs} ms) ` +
      `(target ${target} ms: ${ms <= target ? 'met' : 'MISSED'}; ${stream.failures} failed attempts so far)\n` +
      `${masterWarnings(stream.masterList, killedAt)}\n${stream.takeFailureReasons()}\n`,
  );
  return ms;
}

/** Restarts the node and waits until it is back in the ISR of the log, election and transaction topics. */
async function restartAndResync(cluster: KafkaCluster, node: KafkaNode, admin: Admin, topics: string[]): Promise<void> {
  await node.start();
  await waitFor(
    async () => {
      for (const topic of topics) {
        const p = await partitionZero(admin, topic).catch(() => undefined);
        if (!p || p.isr.length < cluster.nodes.length) return undefined;
      }
      return true;
    },
    { timeoutMs: 90_000, intervalMs: 250, describe: `node ${node.nodeId} back in every ISR of ${topics.join(', ')}` },
  );
}

describe('three Kafka brokers, each kind SIGKILLed once under a running Cairn cluster', () => {
  let kafka: KafkaCluster;
  let admin: Admin | undefined;
  let agent: AgentHandle | undefined;
  let masters: MasterHandle[] = [];
  let stream: WriteStream | undefined;

  afterAll(async () => {
    await stream?.stop().catch(() => undefined);
    await agent?.killTasksAndStop().catch(() => undefined);
    for (const m of masters) await m.kill().catch(() => undefined);
    await admin?.disconnect().catch(() => undefined);
    await verifyStartedLogs(); // while this describe's brokers still run
    await kafka?.stop({ timeoutMs: 5_000 });
  });

  it('a follower, the transaction coordinator and the log partition leader: nothing lost, duplicated or restarted', async () => {
    kafka = await startKafkaCluster(3);
    process.stderr.write(`[faults] 3-node cluster ${kafka.brokers} up in ${kafka.startMs} ms\n`);
    admin = await kafkaAdmin(kafka.brokers);
    const cairn = await startCairn(kafka.brokers, 3);
    masters = cairn.masters;
    agent = cairn.agent;
    const logTopic = `${cairn.cluster}.events`;
    const topics = [logTopic, `${cairn.cluster}.leader`, '__transaction_state'];
    expect((await partitionZero(admin, logTopic)).replicas).toHaveLength(3);
    // One transaction-state partition (the brokers' setting): its leader coordinates every transactional id.
    expect((await partitionZero(admin, '__transaction_state')).replicas).toHaveLength(3);

    stream = new WriteStream(masters, '/faults/stream');
    stream.start();
    await waitFor(async () => stream!.acks.length >= 5, { timeoutMs: 30_000, describe: 'writes flowing' });

    const node = (id: number) => kafka.nodes.find((n) => n.nodeId === id)!;
    const resume: Record<string, number> = {};
    // Follower first (neither the log's leader nor the coordinator), then the coordinator while it is
    // not the log's leader, then the log's leader: each kind on its own.
    const order: { kind: string; pick: (log: number, coordinator: number) => number | undefined }[] = [
      { kind: 'follower', pick: (log, coord) => [1, 2, 3].find((id) => id !== log && id !== coord) },
      { kind: 'transaction-coordinator', pick: (log, coord) => (coord !== log ? coord : undefined) },
      { kind: 'log-partition-leader', pick: (log) => log },
    ];
    for (const { kind, pick } of order) {
      const log = (await partitionZero(admin, logTopic)).leader;
      const coordinator = (await partitionZero(admin, '__transaction_state')).leader;
      const groups = (await partitionZero(admin, '__consumer_offsets').catch(() => ({ leader: -1 }))).leader;
      const election = (await partitionZero(admin, `${cairn.cluster}.leader`)).leader;
      let victim = pick(log, coordinator);
      if (victim === undefined) {
        // The coordinator leads the log too: killing it is then both kinds at once; say so.
        process.stderr.write(`[faults] node ${coordinator} leads the log and coordinates transactions\n`);
        victim = coordinator;
      }
      process.stderr.write(
        `[faults] log leader node ${log}, transaction coordinator node ${coordinator}, group coordinator node ` +
          `${groups}, election topic leader node ${election}: killing node ${victim} (${kind})\n`,
      );
      const ackedBefore = stream.acks.length;
      resume[kind] = await killAndMeasure(stream, node(victim), kind);
      expect(resume[kind]).toBeLessThan(RESUME_BOUND_MS);
      // Keep writing a while on two brokers, then bring the third back before the next kill.
      await waitFor(async () => stream!.acks.length >= ackedBefore + 10, {
        timeoutMs: 60_000,
        describe: 'writes flowing on two brokers',
      });
      await restartAndResync(kafka, node(victim), admin, topics);
    }
    await stream.stop();
    process.stderr.write(
      `[faults] resume times (ms): ${JSON.stringify(resume)}; ${stream.acks.length} writes acknowledged, ` +
        `${stream.landedUnacked.length} landed unacknowledged, ${stream.failures} failed attempts\n`,
    );
    expect(stream.acks.length).toBeGreaterThan(30);

    await verify({ brokers: kafka.brokers, masters, stream, expectedLaunches: INSTANCES });
  });
});

describe('one Kafka broker restarted under a running Cairn cluster', () => {
  let kafka: KafkaCluster;
  let agent: AgentHandle | undefined;
  let masters: MasterHandle[] = [];
  let stream: WriteStream | undefined;

  afterAll(async () => {
    await stream?.stop().catch(() => undefined);
    await agent?.killTasksAndStop().catch(() => undefined);
    for (const m of masters) await m.kill().catch(() => undefined);
    await verifyStartedLogs(); // while this describe's brokers still run
    await kafka?.stop({ timeoutMs: 5_000 });
  });

  it('writes stop while it is down and resume after; nothing lost, duplicated or restarted', async () => {
    kafka = await startKafkaCluster(1);
    const cairn = await startCairn(kafka.brokers, 1);
    masters = cairn.masters;
    agent = cairn.agent;
    stream = new WriteStream(masters, '/faults/single');
    stream.start();
    await waitFor(async () => stream!.acks.length >= 5, { timeoutMs: 30_000, describe: 'writes flowing' });

    const [broker] = kafka.nodes;
    const stoppedAt = Date.now();
    await broker.kill('SIGKILL');
    await sleep(2_000); // down for a moment: writes fail meanwhile
    const ackedWhileDown = stream.acks.filter((a) => a.ackedAt > stoppedAt + 500).length;
    const restartedAt = Date.now();
    await broker.start();
    const ack = await waitFor(async () => stream!.firstAckSentAfter(restartedAt), {
      timeoutMs: 90_000,
      intervalMs: 20,
      describe: 'a write acknowledged after the broker came back',
    });
    process.stderr.write(
      `[faults] single broker SIGKILLed for 2 s and restarted (JVM up in ${Date.now() - restartedAt} ms ` +
        `by now): writes resumed ${ack.ackedAt - restartedAt} ms after the restart began\n` +
        `${masterWarnings(masters, stoppedAt)}\n`,
    );
    expect(ackedWhileDown).toBe(0);
    const before = stream.acks.length;
    await waitFor(async () => stream!.acks.length >= before + 10, { timeoutMs: 60_000, describe: 'writes flowing' });
    await stream.stop();
    await verify({ brokers: kafka.brokers, masters, stream, expectedLaunches: INSTANCES });
  });
});
