import { ManualClock, SeededIdSource } from '@cairn/common';
import pino from 'pino';
import type { StatusUpdate } from '../protocol/agent-protocol';
import {
  StatusUpdateQueue,
  type SendOutcome,
  type StatusUpdateBody,
  type StatusUpdateTransport,
} from './status-update-queue';
import { MemoryStatusUpdateStore } from './status-update-store';

/** A transport whose every send waits until the test answers it. */
class ScriptedTransport implements StatusUpdateTransport {
  readonly calls: { update: StatusUpdate; answer(outcome: SendOutcome): void }[] = [];

  send(update: StatusUpdate): Promise<SendOutcome> {
    return new Promise((resolve) => this.calls.push({ update, answer: resolve }));
  }

  sent(): string[] {
    return this.calls.map((call) => `${call.update.taskId}:${call.update.state}`);
  }

  /** Answers the oldest unanswered call for `taskId`. */
  answer(index: number, outcome: SendOutcome): void {
    this.calls[index].answer(outcome);
  }
}

/** A master that applies each update id once, and may lose its answer (ack sent, never received). */
class DedupingMaster implements StatusUpdateTransport {
  readonly applied: StatusUpdate[] = [];
  readonly received: string[] = [];
  loseNextAnswers = 0;

  async send(update: StatusUpdate): Promise<SendOutcome> {
    this.received.push(update.updateId);
    if (!this.applied.some((seen) => seen.updateId === update.updateId)) this.applied.push(update);
    if (this.loseNextAnswers > 0) {
      this.loseNextAnswers--;
      return { kind: 'failed', reason: 'socket hang up' };
    }
    return { kind: 'acked' };
  }
}

const silent = pino({ level: 'silent' });
const ACK: SendOutcome = { kind: 'acked' };
const UNREACHABLE: SendOutcome = { kind: 'failed', reason: 'ECONNREFUSED' };

function body(taskId: string, state: StatusUpdate['state'], exitCode: number | null = null): StatusUpdateBody {
  return { taskId, state, reason: null, message: null, exitCode, pid: 42, at: '2026-01-01T00:00:00.000Z' };
}

/** Lets pending promise chains (store writes, sends, settles) run to their next real wait. */
async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}

let queues = 0;

function aQueue(
  transport: StatusUpdateTransport,
  store = new MemoryStatusUpdateStore(),
  clock = new ManualClock(),
  extra: Partial<ConstructorParameters<typeof StatusUpdateQueue>[0]> = {},
) {
  const queue = new StatusUpdateQueue({
    store,
    transport,
    clock,
    ids: new SeededIdSource(`queue-spec-${queues++}`), // a restarted agent draws other ids
    logger: silent,
    random: () => 0, // no jitter: delays are exactly initial * 2^(n-1)
    backoff: { initialMs: 100, maxMs: 1_000, factor: 2 },
    ...extra,
  });
  return { queue, store, clock };
}

describe('StatusUpdateQueue', () => {
  it('sends nothing until resumed, then sends each checkpointed update', async () => {
    const transport = new ScriptedTransport();
    const { queue, store } = aQueue(transport);
    await queue.load();
    const update = await queue.enqueue(body('t1', 'TASK_RUNNING'));
    await flush();
    expect(transport.calls).toHaveLength(0);
    expect(store.journal).toEqual([`write ${update.updateId}`]);

    queue.resume();
    await flush();
    expect(transport.calls.map((call) => call.update)).toEqual([update]);
    transport.answer(0, ACK);
    await flush();
    expect(store.journal).toEqual([`write ${update.updateId}`, `remove ${update.updateId}`]);
    expect(queue.pendingCount()).toBe(0);
  });

  it('keeps per-task order: the next update of a task waits for the previous ack', async () => {
    const transport = new ScriptedTransport();
    const { queue } = aQueue(transport);
    await queue.load();
    queue.resume();
    await queue.enqueue(body('t1', 'TASK_RUNNING'));
    await queue.enqueue(body('t1', 'TASK_FINISHED', 0));
    await queue.enqueue(body('t2', 'TASK_RUNNING'));
    await flush();
    // t1's RUNNING and t2's RUNNING are in flight; t1's FINISHED waits.
    expect(transport.sent()).toEqual(['t1:TASK_RUNNING', 't2:TASK_RUNNING']);

    transport.answer(1, ACK); // t2 acked first: does not release t1's next update
    await flush();
    expect(transport.sent()).toEqual(['t1:TASK_RUNNING', 't2:TASK_RUNNING']);

    transport.answer(0, ACK);
    await flush();
    expect(transport.sent()).toEqual(['t1:TASK_RUNNING', 't2:TASK_RUNNING', 't1:TASK_FINISHED']);
  });

  it('retries a failed send after the backoff delay, with the same update id, doubling the delay', async () => {
    const transport = new ScriptedTransport();
    const { queue, clock } = aQueue(transport);
    await queue.load();
    queue.resume();
    const update = await queue.enqueue(body('t1', 'TASK_RUNNING'));
    await flush();
    transport.answer(0, UNREACHABLE);
    await flush();

    clock.advance(99);
    await flush();
    expect(transport.calls).toHaveLength(1);
    clock.advance(1); // first retry after 100 ms
    await flush();
    expect(transport.calls).toHaveLength(2);

    transport.answer(1, UNREACHABLE);
    await flush();
    clock.advance(199);
    await flush();
    expect(transport.calls).toHaveLength(2);
    clock.advance(1); // second retry after 200 ms
    await flush();
    expect(transport.calls.map((call) => call.update.updateId)).toEqual([
      update.updateId,
      update.updateId,
      update.updateId,
    ]);
    transport.answer(2, ACK);
    await flush();
    expect(queue.pendingCount()).toBe(0);
  });

  it('holds a task behind its failing update: order is kept through retries', async () => {
    const transport = new ScriptedTransport();
    const { queue, clock } = aQueue(transport);
    await queue.load();
    queue.resume();
    await queue.enqueue(body('t1', 'TASK_RUNNING'));
    await queue.enqueue(body('t1', 'TASK_KILLED', 143));
    await flush();
    transport.answer(0, UNREACHABLE);
    await flush();
    clock.advance(100);
    await flush();
    transport.answer(1, ACK);
    await flush();
    expect(transport.sent()).toEqual(['t1:TASK_RUNNING', 't1:TASK_RUNNING', 't1:TASK_KILLED']);
  });

  it('drops an update the master refuses (409), tells onSettled, and goes on with the task', async () => {
    const transport = new ScriptedTransport();
    const settled: string[] = [];
    const { queue, store } = aQueue(transport, undefined, undefined, {
      onSettled: (update, outcome) => {
        settled.push(`${update.state}:${outcome}`);
      },
    });
    await queue.load();
    queue.resume();
    const refused = await queue.enqueue(body('t1', 'TASK_RUNNING'));
    await queue.enqueue(body('t1', 'TASK_FAILED', 1));
    await flush();
    transport.answer(0, { kind: 'rejected', status: 409, message: 'task t1 is not on agent a1' });
    await flush();
    expect(store.journal).toContain(`remove ${refused.updateId}`);
    expect(transport.sent()).toEqual(['t1:TASK_RUNNING', 't1:TASK_FAILED']);
    transport.answer(1, ACK);
    await flush();
    expect(settled).toEqual(['TASK_RUNNING:dropped', 'TASK_FAILED:acked']);
  });

  it('calls onSettled before deleting the checkpoint', async () => {
    const transport = new ScriptedTransport();
    const store = new MemoryStatusUpdateStore();
    const { queue } = aQueue(transport, store, undefined, {
      onSettled: (update) => {
        store.journal.push(`settled ${update.updateId}`);
      },
    });
    await queue.load();
    queue.resume();
    const update = await queue.enqueue(body('t1', 'TASK_FINISHED', 0));
    await flush();
    transport.answer(0, ACK);
    await flush();
    expect(store.journal).toEqual([
      `write ${update.updateId}`,
      `settled ${update.updateId}`,
      `remove ${update.updateId}`,
    ]);
  });

  it('sends a duplicate when an ack is lost, and the master applies the update once', async () => {
    const master = new DedupingMaster();
    master.loseNextAnswers = 2;
    const { queue, clock } = aQueue(master);
    await queue.load();
    queue.resume();
    const update = await queue.enqueue(body('t1', 'TASK_FINISHED', 0));
    await flush();
    clock.advance(100);
    await flush();
    clock.advance(200);
    await flush();
    expect(master.received).toEqual([update.updateId, update.updateId, update.updateId]);
    expect(master.applied).toEqual([update]);
    expect(queue.pendingCount()).toBe(0);
  });

  it('resends the updates of an earlier run, in their order, with their ids', async () => {
    const store = new MemoryStatusUpdateStore();
    const first = aQueue(new ScriptedTransport(), store);
    await first.queue.load();
    const running = await first.queue.enqueue(body('t1', 'TASK_RUNNING'));
    const finished = await first.queue.enqueue(body('t1', 'TASK_FINISHED', 0));
    const other = await first.queue.enqueue(body('t2', 'TASK_RUNNING'));
    first.queue.close(); // the agent stops (or dies) before anything was acked

    const master = new DedupingMaster();
    const second = aQueue(master, store);
    expect(await second.queue.load()).toEqual([running, finished, other]);
    // Sequence numbers go on from the loaded ones: a new update sorts after the old ones.
    const later = await second.queue.enqueue(body('t1', 'TASK_UNKNOWN'));
    const stored = (await store.load()).updates.map((entry) => entry.update.updateId);
    expect(stored).toEqual([running, finished, other, later].map((update) => update.updateId));

    second.queue.resume();
    await flush();
    expect(master.applied).toEqual([running, other, finished, later]);
    expect(store.size()).toBe(0);
  });

  it('does not send while paused, and resume() retries at once instead of waiting out the delay', async () => {
    const transport = new ScriptedTransport();
    const { queue, clock } = aQueue(transport);
    await queue.load();
    queue.resume();
    await queue.enqueue(body('t1', 'TASK_RUNNING'));
    await flush();
    transport.answer(0, UNREACHABLE); // the master went away ...
    queue.pause(); // ... and the command stream broke
    await flush();
    clock.advance(10_000);
    await flush();
    expect(transport.calls).toHaveLength(1);
    await queue.enqueue(body('t2', 'TASK_RUNNING'));
    await flush();
    expect(transport.calls).toHaveLength(1);

    queue.resume(); // registered again
    await flush();
    expect(transport.sent()).toEqual(['t1:TASK_RUNNING', 't1:TASK_RUNNING', 't2:TASK_RUNNING']);
  });

  it('keeps at most maxInFlight sends in flight over all tasks', async () => {
    const transport = new ScriptedTransport();
    const { queue } = aQueue(transport, undefined, undefined, { maxInFlight: 2 });
    await queue.load();
    queue.resume();
    for (const taskId of ['t1', 't2', 't3']) await queue.enqueue(body(taskId, 'TASK_RUNNING'));
    await flush();
    expect(transport.sent()).toEqual(['t1:TASK_RUNNING', 't2:TASK_RUNNING']);
    transport.answer(0, ACK);
    await flush();
    expect(transport.sent()).toEqual(['t1:TASK_RUNNING', 't2:TASK_RUNNING', 't3:TASK_RUNNING']);
  });

  it('still sends an update whose checkpoint could not be written', async () => {
    const store = new MemoryStatusUpdateStore();
    store.write = () => Promise.reject(new Error('ENOSPC'));
    const master = new DedupingMaster();
    const { queue } = aQueue(master, store);
    await queue.load();
    queue.resume();
    const update = await queue.enqueue(body('t1', 'TASK_FAILED', 2));
    await flush();
    expect(master.applied).toEqual([update]);
  });

  it('names the pending terminal update of a task', async () => {
    const { queue } = aQueue(new ScriptedTransport());
    await queue.load();
    await queue.enqueue(body('t1', 'TASK_RUNNING'));
    const killed = await queue.enqueue(body('t1', 'TASK_KILLED', 143));
    expect(queue.pendingTerminal('t1')).toEqual(killed);
    expect(queue.pendingTerminal('t2')).toBeUndefined();
  });
});

/** A batching transport whose every request waits until the test answers it, with one outcome per update. */
class ScriptedBatchTransport implements StatusUpdateTransport {
  readonly requests: { updates: readonly StatusUpdate[]; answer(outcomes: SendOutcome[]): void }[] = [];

  send(): Promise<SendOutcome> {
    throw new Error('a batching queue sends through sendBatch');
  }

  sendBatch(updates: readonly StatusUpdate[]): Promise<SendOutcome[]> {
    return new Promise((resolve) => this.requests.push({ updates, answer: resolve }));
  }

  sent(): string[][] {
    return this.requests.map((r) => r.updates.map((u) => `${u.taskId}:${u.state}`));
  }
}

describe('StatusUpdateQueue with batches (maxBatch > 1)', () => {
  it('sends the updates that become ready in one turn in one request, up to maxBatch each', async () => {
    const transport = new ScriptedBatchTransport();
    const { queue } = aQueue(transport, undefined, undefined, { maxBatch: 2 });
    await queue.load();
    queue.resume();
    await Promise.all(['t1', 't2', 't3'].map((t) => queue.enqueue(body(t, 'TASK_RUNNING'))));
    await flush();
    expect(transport.sent()).toEqual([['t1:TASK_RUNNING', 't2:TASK_RUNNING'], ['t3:TASK_RUNNING']]);
  });

  it('keeps per-task order and settles each update by its own outcome (acked, dropped, retried)', async () => {
    const transport = new ScriptedBatchTransport();
    const settled: string[] = [];
    const { queue, clock } = aQueue(transport, undefined, undefined, {
      maxBatch: 10,
      onSettled: (update, outcome) => void settled.push(`${update.taskId}:${update.state}:${outcome}`),
    });
    await queue.load();
    queue.resume();
    await queue.enqueue(body('t1', 'TASK_RUNNING'));
    await queue.enqueue(body('t1', 'TASK_FINISHED', 0));
    await queue.enqueue(body('t2', 'TASK_RUNNING'));
    await queue.enqueue(body('t3', 'TASK_RUNNING'));
    await flush();
    // Only each task's head is in the request: t1's FINISHED waits for its RUNNING's ack.
    expect(transport.sent()).toEqual([['t1:TASK_RUNNING', 't2:TASK_RUNNING', 't3:TASK_RUNNING']]);

    transport.requests[0].answer([ACK, { kind: 'rejected', status: 409, message: 'not yours' }, UNREACHABLE]);
    await flush();
    expect(settled).toEqual(['t1:TASK_RUNNING:acked', 't2:TASK_RUNNING:dropped']);
    expect(transport.sent()[1]).toEqual(['t1:TASK_FINISHED']);

    clock.advance(100); // t3's retry delay
    await flush();
    expect(transport.sent()[2]).toEqual(['t3:TASK_RUNNING']);
    expect(transport.requests[2].updates[0].updateId).toBe(queue.pendingFor('t3')[0].updateId);
  });

  it('bounds the requests in flight; updates that wait meanwhile go together in the next one', async () => {
    const transport = new ScriptedBatchTransport();
    const { queue } = aQueue(transport, undefined, undefined, { maxBatch: 10, maxInFlight: 1 });
    await queue.load();
    queue.resume();
    await queue.enqueue(body('t1', 'TASK_RUNNING'));
    await flush();
    await queue.enqueue(body('t2', 'TASK_RUNNING'));
    await flush();
    await queue.enqueue(body('t3', 'TASK_RUNNING'));
    await flush();
    expect(transport.sent()).toEqual([['t1:TASK_RUNNING']]);

    transport.requests[0].answer([ACK]);
    await flush();
    expect(transport.sent()[1]).toEqual(['t2:TASK_RUNNING', 't3:TASK_RUNNING']);
  });

  it('fails every update of a request whose transport throws, and retries each', async () => {
    const calls: number[] = [];
    const transport: StatusUpdateTransport = {
      send: () => Promise.reject(new Error('unused')),
      sendBatch: (updates) => {
        calls.push(updates.length);
        return calls.length === 1
          ? Promise.reject(new Error('socket hang up'))
          : Promise.resolve(updates.map(() => ACK));
      },
    };
    const { queue, clock } = aQueue(transport, undefined, undefined, { maxBatch: 10 });
    await queue.load();
    queue.resume();
    await Promise.all(['t1', 't2'].map((t) => queue.enqueue(body(t, 'TASK_RUNNING'))));
    await flush();
    expect(queue.pendingCount()).toBe(2);
    clock.advance(100);
    await flush();
    expect(calls).toEqual([2, 2]);
    expect(queue.pendingCount()).toBe(0);
  });
});
