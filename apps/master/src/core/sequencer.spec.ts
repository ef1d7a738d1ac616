import { ManualClock, SeededIdSource } from '@cairn/common';
import { CommandRejected, type Command } from '@cairn/domain';
import { AppendOutcomeUnknownError, WriterFailedError, WriterFencedError } from '@cairn/eventlog';
import { MemoryEventLog } from '@cairn/eventlog/memory/memory-event-log';
import { UnavailableError } from './errors';
import { readEvents } from './event-stream';
import { ProjectionRunner } from './projection-runner';
import { MAX_COMMANDS_PER_BATCH, RECOVERY_ATTEMPTS_MAX, Sequencer } from './sequencer';
import { anAgent, tick } from '@cairn/domain/testing/cluster-builders';
import { ChainCheck } from '../verify/chain-check';

const clock = new ManualClock(Date.UTC(2026, 10, 25, 12, 0, 0));
let commandSeq = 0;

function meta() {
  const commandId = `cmd-${++commandSeq}`;
  return { now: clock.now(), actor: 'tester', commandId, correlationId: commandId };
}
const create = (id: string, extra: Record<string, unknown> = {}): Command => ({
  kind: 'CreateApp',
  force: true,
  app: { id, cmd: 'sleep 100', ...extra },
  meta: meta(),
});
const scale = (id: string, instances: number): Command => ({
  kind: 'UpdateApp',
  force: true,
  appId: id,
  body: { instances },
  partial: true,
  meta: meta(),
});

async function setup(options: { offsetGap?: number } = {}) {
  const log = new MemoryEventLog({ offsetGap: options.offsetGap ?? 1 });
  await log.open();
  const projection = new ProjectionRunner();
  const fatal: Error[] = [];
  const applied: string[] = [];
  const sequencer = new Sequencer({
    log,
    projection,
    ids: new SeededIdSource('sequencer-spec'),
    onApplied: (events) => applied.push(...events.map((e) => e.type)),
    onFatal: (error) => fatal.push(error),
  });
  return { log, projection, sequencer, fatal, applied };
}

/** Makes the log's appends wait until the returned function is called (a slow fsync, a slow broker). */
function holdAppends(log: MemoryEventLog): () => void {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const append = log.append.bind(log);
  log.append = async (records) => {
    await held;
    return append(records);
  };
  return release;
}

async function replayHash(log: MemoryEventLog): Promise<string> {
  const fresh = new ProjectionRunner();
  for await (const events of readEvents(log, { from: 0 })) fresh.apply(events);
  return fresh.hash();
}

async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('Sequencer', () => {
  it('answers a command once its events are durable and applied, with their offset', async () => {
    const { log, projection, sequencer, applied } = await setup();
    const outcome = await sequencer.submit(create('/web'));
    expect(outcome.events.map((e) => e.type)).toEqual(['AppCreated', 'DeploymentStarted', 'DeploymentStepFinished']);
    expect(outcome.offset).toBe(outcome.events[2].offset);
    expect(projection.appliedOffset).toBe(outcome.offset);
    expect(projection.state.apps.get('/web')?.cpus).toBe(1);
    expect(await log.endOffset()).toBeGreaterThan(outcome.offset!);
    expect(applied).toEqual(['AppCreated', 'DeploymentStarted', 'DeploymentStepFinished']);
  });

  it("stamps events at no earlier than the log's last event, also for a new leader whose clock is behind", async () => {
    const { log, projection, sequencer } = await setup();
    const first = await sequencer.submit(create('/ahead'));
    const stampedAhead = first.events[0].at;
    clock.advance(-60_000); // this leader's clock steps back a minute
    const behind = await sequencer.submit(scale('/ahead', 2));
    expect(behind.events.map((e) => e.at)).toEqual(behind.events.map(() => stampedAhead));
    // A new leader (a new sequencer over the same projection) whose clock is behind the log.
    const next = new Sequencer({ log, projection, ids: new SeededIdSource('next'), onFatal: () => undefined });
    const later = await next.submit(scale('/ahead', 3));
    expect(Date.parse(later.events[0].at)).toBe(Date.parse(stampedAhead));
    clock.advance(120_000);
    const moved = await next.submit(scale('/ahead', 4));
    expect(Date.parse(moved.events[0].at)).toBe(clock.now());
    // The command's own time is not clamped: the app's version is this leader's clock.
    expect(projection.state.apps.get('/ahead')?.version).toBe(new Date(clock.now()).toISOString());
    const times: number[] = [];
    for await (const events of readEvents(log, { from: 0 })) times.push(...events.map((e) => Date.parse(e.at)));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('refuses a command at once (503) when its queue is full, writing nothing for it, and reports each batch', async () => {
    const log = new MemoryEventLog({ offsetGap: 1 });
    await log.open();
    const projection = new ProjectionRunner();
    const batches: { commands: number; records: number }[] = [];
    let refused = 0;
    const sequencer = new Sequencer({
      log,
      projection,
      ids: new SeededIdSource('bounded'),
      onFatal: () => undefined,
      queueMax: 3,
      observer: {
        batchAppended: ({ commands, records }) => batches.push({ commands, records }),
        refusedFull: () => refused++,
      },
    });
    // Submitted in one tick: three wait for the batch, the fourth finds the queue full.
    const results = await Promise.allSettled(['/q1', '/q2', '/q3', '/q4'].map((id) => sequencer.submit(create(id))));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
    const reason = (results[3] as PromiseRejectedResult).reason as UnavailableError;
    expect(reason).toBeInstanceOf(UnavailableError);
    expect(reason.message).toContain('command queue is full (3 commands waiting)');
    expect(reason.retryAfterSeconds).toBeGreaterThan(0);
    expect([...projection.state.apps.keys()].sort()).toEqual(['/q1', '/q2', '/q3']);
    expect(refused).toBe(1);
    expect(batches).toEqual([{ commands: 3, records: 9 }]);
    // Room again once the batch is through.
    await expect(sequencer.submit(create('/q4'))).resolves.toMatchObject({ offset: expect.any(Number) });
    expect(sequencer.queueDepth).toBe(0);
  });

  it("keeps agents' reports in a lane of their own: a flood of them neither fills the REST lane nor its batches", async () => {
    const log = new MemoryEventLog({ offsetGap: 1 });
    await log.open();
    const projection = new ProjectionRunner();
    const batches: number[] = [];
    const sequencer = new Sequencer({
      log,
      projection,
      ids: new SeededIdSource('lanes'),
      onFatal: () => undefined,
      queueMax: MAX_COMMANDS_PER_BATCH + 10,
      observer: { batchAppended: ({ commands }) => batches.push(commands) },
    });
    // More agent reports than a batch holds, then REST writes, all in one tick.
    const reports = Array.from({ length: MAX_COMMANDS_PER_BATCH + 10 }, (_, i) =>
      sequencer.submit(anAgent(`flood-${i}`).register()),
    );
    const refusedReport = sequencer.submit(anAgent('one-too-many').register());
    const writes = ['/w1', '/w2', '/w3'].map((id) => sequencer.submit(create(id)));
    await expect(refusedReport).rejects.toBeInstanceOf(UnavailableError); // the agent lane is full...
    const written = await Promise.all(writes); // ...and the REST lane is not
    const reported = await Promise.all(reports);
    // The REST writes went into the first batch, not behind the flood (FIFO would have put them last).
    expect(batches).toEqual([MAX_COMMANDS_PER_BATCH, reports.length + writes.length - MAX_COMMANDS_PER_BATCH]);
    const secondBatch = reported
      .map((r) => r.offset!)
      .sort((x, y) => x - y)
      .slice(-batches[1]);
    expect(Math.max(...written.map((w) => w.offset!))).toBeLessThan(Math.min(...secondBatch));
  });

  it('decides concurrent commands in arrival order against the speculative state, in one append', async () => {
    const { log, sequencer } = await setup();
    const appendSpy = jest.spyOn(log, 'append');
    const results = await Promise.allSettled([
      sequencer.submit(create('/a')),
      sequencer.submit(create('/a')), // sees the first one's AppCreated although nothing is durable yet
      sequencer.submit(scale('/a', 5)),
    ]);
    expect(results[0].status).toBe('fulfilled');
    expect(results[1]).toMatchObject({ status: 'rejected', reason: expect.any(CommandRejected) });
    expect(results[2]).toMatchObject({ status: 'fulfilled' });
    expect(appendSpy).toHaveBeenCalledTimes(1);
    const offsets = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.offset!] : []));
    expect(offsets[1]).toBeGreaterThan(offsets[0]);
  });

  it('decides a scheduler tick in a batch of its own, in arrival order: no fork, its launches evolved once', async () => {
    const { log, projection, sequencer } = await setup();
    await sequencer.submit(anAgent('a1').register());
    const release = holdAppends(log);
    const occupying = sequencer.submit(create('/first', { instances: 0 })); // the append in flight
    await waitUntil(() => sequencer.queueDepth === 0);
    const appends: string[][] = [];
    const append = log.append.bind(log);
    log.append = (records) => {
      appends.push(records.map((r) => (JSON.parse(r.value.toString('utf8')) as { type: string }).type));
      return append(records);
    };
    const before = sequencer.submit(create('/a', { instances: 1, cpus: 0.1, mem: 16 }));
    const ticked = sequencer.submit(tick(clock.now(), { meta: meta(), leaderSinceMs: clock.now() }));
    const after = sequencer.submit(create('/b', { instances: 1, cpus: 0.1, mem: 16 }));
    release();
    const [, , tickOutcome] = await Promise.all([occupying, before, ticked, after]);
    // Three batches: what came before the tick, the tick alone (it sees /a, not /b), what came after.
    expect(appends.map((types) => types[0])).toEqual(['AppCreated', 'OffersMade', 'AppCreated']);
    expect(appends[1]).not.toContain('AppCreated');
    expect(tickOutcome.events.filter((e) => e.type === 'TaskLaunched').map((e) => e.data.appId)).toEqual(['/a']);
    expect(projection.state.apps.has('/b')).toBe(true);
    expect(projection.hash()).toBe(await replayHash(log));
  });

  it('the served state holds durable events only: a batch being appended is not in it', async () => {
    const { log, projection, sequencer } = await setup();
    await sequencer.submit(create('/a'));
    const release = holdAppends(log);
    const before = projection.hash();
    const batch = Promise.all([sequencer.submit(scale('/a', 2)), sequencer.submit(create('/b'))]);
    await waitUntil(() => sequencer.queueDepth === 0);
    expect(projection.hash()).toBe(before);
    expect(projection.state.apps.get('/a')?.instances).toBe(1);
    expect(projection.state.apps.has('/b')).toBe(false);
    release();
    await batch;
    expect(projection.state.apps.get('/a')?.instances).toBe(2);
    expect(projection.state.apps.has('/b')).toBe(true);
    expect(projection.hash()).toBe(await replayHash(log));
  });

  it('stopped while its batch is appended (deposed): the commands succeed, but the events are left to the follower', async () => {
    const { log, projection, sequencer, applied, fatal } = await setup();
    await sequencer.submit(create('/a'));
    const release = holdAppends(log);
    const appliedBefore = projection.appliedOffset;
    const appliedEvents = applied.length;
    const scaled = sequencer.submit(scale('/a', 2));
    await waitUntil(() => sequencer.queueDepth === 0);
    sequencer.stop(new Error('this master no longer leads'));
    // The follower a demoted master starts reads the log from where the projection stands; it
    // applies the batch once it is written. Applying it here too would apply it twice.
    release();
    const outcome = await scaled;
    expect(outcome.offset).toBeGreaterThan(appliedBefore); // durable: the command did happen
    expect(projection.appliedOffset).toBe(appliedBefore);
    expect(applied.length).toBe(appliedEvents); // no side effects of a master that no longer leads
    for await (const events of readEvents(log, { from: projection.nextOffset })) projection.apply(events);
    expect(projection.state.apps.get('/a')?.instances).toBe(2);
    expect(fatal).toEqual([]);
  });

  it('a command that changes nothing writes nothing and answers with a null offset', async () => {
    const { log, sequencer } = await setup();
    await sequencer.submit(create('/a', { instances: 2 }));
    const end = await log.endOffset();
    const outcome = await sequencer.submit(scale('/a', 2));
    expect(outcome).toEqual({ events: [], offset: null });
    expect(await log.endOffset()).toBe(end);
  });

  it('an event that fails its schema never reaches the log: the command is refused as invalid', async () => {
    const { log, sequencer } = await setup();
    const end = await log.endOffset();
    // cpus must be >= 0 in the event schema; the REST layer would have refused this first.
    await expect(sequencer.submit(create('/bad', { cpus: -1 }))).rejects.toMatchObject({ kind: 'invalid' });
    expect(await log.endOffset()).toBe(end);
  });

  it('on an append error every command of the batch fails and its speculative events are dropped', async () => {
    const { log, projection, sequencer, fatal } = await setup();
    await sequencer.submit(create('/kept'));
    log.failNextAppend(new Error('disk on fire'));
    const failed = await Promise.allSettled([sequencer.submit(create('/lost')), sequencer.submit(scale('/kept', 3))]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((failed[0] as PromiseRejectedResult).reason).toBeInstanceOf(UnavailableError);
    expect(fatal).toEqual([]);
    // '/lost' was only speculative: creating it again must succeed, and '/kept' still has 1 instance.
    await sequencer.submit(create('/lost'));
    expect(projection.state.apps.get('/kept')?.instances).toBe(1);
    expect(projection.hash()).toBe(await replayHash(log));
  });

  it('a command decided after an append failure sees the durable state, not the failed batch', async () => {
    const { log, projection, sequencer } = await setup();
    await sequencer.submit(create('/kept', { instances: 1 }));
    log.failNextAppend(new Error('disk on fire'));
    // One batch: the scale to 3 sees '/gone' created and '/kept' at 2 (decided before it).
    const failed = await Promise.allSettled([
      sequencer.submit(create('/gone')),
      sequencer.submit(scale('/kept', 2)),
      sequencer.submit(scale('/kept', 3)),
    ]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    // Had the failed batch's events stayed in the speculative state, this scale would change
    // nothing (no events) and the create would be a conflict.
    const [rescaled, recreated] = await Promise.all([
      sequencer.submit(scale('/kept', 3)),
      sequencer.submit(create('/gone')),
    ]);
    expect(rescaled.events.map((e) => e.type)).toEqual(expect.arrayContaining(['AppScaled']));
    expect(rescaled.events.find((e) => e.type === 'AppScaled')?.data).toMatchObject({ instances: 3 });
    expect(recreated.events.map((e) => e.type)).toContain('AppCreated');
    // And the scale that followed the failure was decided against one instance, not two.
    const deployment = rescaled.events.find((e) => e.type === 'DeploymentStarted');
    expect(deployment?.data).toMatchObject({ original: { '/kept': { instances: 1 } } });
    expect(projection.hash()).toBe(await replayHash(log));
  });

  it('settles an unknown outcome by reading the log: a batch that did land is applied, never guessed', async () => {
    const { log, projection, sequencer } = await setup();
    log.failNextAppend(new AppendOutcomeUnknownError('commit timed out'), { committed: true });
    await expect(sequencer.submit(create('/maybe'))).rejects.toBeInstanceOf(UnavailableError);
    // It did land, so the served state has it once the log was read, and a retry is a conflict.
    await expect(sequencer.submit(create('/maybe'))).rejects.toMatchObject({ kind: 'conflict' });
    expect(projection.state.apps.has('/maybe')).toBe(true);
    expect(projection.hash()).toBe(await replayHash(log));
  });

  it('reopens the log after a fatal write error and goes on', async () => {
    const { log, sequencer, fatal } = await setup();
    const reopen = jest.spyOn(log, 'open');
    log.failNextAppend(new WriterFailedError('fsync failed'));
    await expect(sequencer.submit(create('/x'))).rejects.toBeInstanceOf(UnavailableError);
    expect(reopen).toHaveBeenCalledTimes(1);
    await expect(sequencer.submit(create('/x'))).resolves.toMatchObject({ offset: expect.any(Number) });
    expect(fatal).toEqual([]);
  });

  it('retries a recovery that fails while the log is away (a broker restarting), refusing commands meanwhile', async () => {
    const { log, projection, sequencer, fatal } = await setup();
    await sequencer.submit(create('/before'));
    // The append fails after it landed, and the first reads of the log fail too (broker down).
    log.failNextAppend(new AppendOutcomeUnknownError('commit timed out'), { committed: true });
    const realRead = log.read.bind(log);
    let readFailures = 3;
    jest.spyOn(log, 'read').mockImplementation((options) => {
      if (readFailures-- > 0) throw new Error('Connection error: connect ECONNREFUSED');
      return realRead(options);
    });
    const first = sequencer.submit(create('/maybe'));
    await expect(first).rejects.toBeInstanceOf(UnavailableError);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await expect(sequencer.submit(create('/meanwhile'))).rejects.toThrow(/recovering from a log error/);
    await waitUntil(() => readFailures < 0);
    await expect(sequencer.submit(create('/after'))).resolves.toMatchObject({ offset: expect.any(Number) });
    expect(fatal).toEqual([]);
    expect(projection.state.apps.has('/maybe')).toBe(true); // it did land: read back, not guessed
    expect(projection.state.apps.has('/meanwhile')).toBe(false);
    expect(projection.hash()).toBe(await replayHash(log));
  });

  it('gives up after RECOVERY_ATTEMPTS_MAX failed recoveries: onFatal fires once', async () => {
    const log = new MemoryEventLog();
    await log.open();
    const fatal: Error[] = [];
    const sequencer = new Sequencer({
      log,
      projection: new ProjectionRunner(),
      ids: new SeededIdSource('sequencer-spec'),
      onFatal: (error) => fatal.push(error),
      delay: () => Promise.resolve(),
    });
    log.failNextAppend(new Error('broker gone'));
    const read = jest.spyOn(log, 'read').mockImplementation(() => {
      throw new Error('still gone');
    });
    await expect(sequencer.submit(create('/x'))).rejects.toBeInstanceOf(UnavailableError);
    await waitUntil(() => fatal.length > 0);
    expect(read).toHaveBeenCalledTimes(RECOVERY_ATTEMPTS_MAX);
    expect(fatal.map((e) => e.message)).toEqual(['still gone']);
  });

  it('stops for good when fenced: the batch and every later command fail, onFatal fires once', async () => {
    const { log, sequencer, fatal } = await setup();
    log.failNextAppend(new WriterFencedError({ cluster: 'c', transactionalId: 'c.leader' }));
    await expect(sequencer.submit(create('/x'))).rejects.toBeInstanceOf(UnavailableError);
    await expect(sequencer.submit(create('/y'))).rejects.toBeInstanceOf(UnavailableError);
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toBeInstanceOf(WriterFencedError);
  });

  it('live state equals a fresh replay after many interleaved commands (offsets with gaps)', async () => {
    const { log, projection, sequencer } = await setup({ offsetGap: 3 });
    const work: Promise<unknown>[] = [];
    for (let i = 0; i < 50; i++) {
      work.push(sequencer.submit(create(`/g/app-${i % 20}`, { instances: i })).catch(() => undefined));
      work.push(sequencer.submit(scale(`/g/app-${(i * 7) % 20}`, i % 5)).catch(() => undefined));
      if (i % 9 === 0)
        work.push(
          sequencer
            .submit({ kind: 'DeleteApp', force: true, appId: `/g/app-${i % 20}`, meta: meta() })
            .catch(() => undefined),
        );
      clock.advance(3);
    }
    await Promise.all(work);
    expect(projection.hash()).toBe(await replayHash(log));
  });
  it('chains every record to the one before: across batches, a new leader, and an append whose outcome was unknown', async () => {
    const { log, projection, sequencer } = await setup({ offsetGap: 2 });
    await Promise.all([sequencer.submit(create('/c1')), sequencer.submit(create('/c2'))]);
    log.failNextAppend(new AppendOutcomeUnknownError('commit timed out'), { committed: true });
    await expect(sequencer.submit(create('/landed'))).rejects.toBeInstanceOf(UnavailableError);
    await sequencer.submit(scale('/c1', 2));
    const next = new Sequencer({ log, projection, ids: new SeededIdSource('next'), onFatal: () => undefined });
    await next.submit(scale('/c2', 3));
    const chain = new ChainCheck();
    let records = 0;
    for await (const batch of log.read({ from: 0 })) {
      for (const record of batch) {
        records++;
        expect(chain.observe(record)).toBeNull();
      }
    }
    expect(chain.chained).toBe(records);
    expect(chain.start).toBe(0);
  });
});
