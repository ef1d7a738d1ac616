import type { StatusUpdate } from '../protocol/agent-protocol';
import type { StatusUpdateStore, StoredUpdate } from '../status/status-update-store';

/**
 * What every StatusUpdateStore that keeps updates must do, run against each implementation
 * (memory in the unit tier, files in the int tier). NullStatusUpdateStore is left out on purpose:
 * a simulated agent keeps nothing (its tasks die with it), which its own spec states.
 */
export interface StatusUpdateStoreFixture {
  /** A new, empty store. */
  create(): Promise<StatusUpdateStore>;
  /** The same storage opened again, as an agent restart would (the memory store: the same object). */
  reopen(store: StatusUpdateStore): Promise<StatusUpdateStore>;
  cleanup(): Promise<void>;
}

export function statusUpdate(seq: number, overrides: Partial<StatusUpdate> = {}): StoredUpdate {
  return {
    seq,
    update: {
      updateId: `u-${seq}`,
      taskId: `app.task-${seq % 3}`,
      state: 'TASK_RUNNING',
      reason: null,
      message: null,
      exitCode: null,
      pid: 4000 + seq,
      at: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
      ...overrides,
    },
  };
}

export function describeStatusUpdateStoreContract(name: string, fixture: () => StatusUpdateStoreFixture): void {
  describe(`StatusUpdateStore contract: ${name}`, () => {
    let f: StatusUpdateStoreFixture;
    beforeEach(() => {
      f = fixture();
    });
    afterEach(() => f.cleanup());

    it('starts empty', async () => {
      expect(await (await f.create()).load()).toEqual({ updates: [], setAside: [] });
    });

    it('gives back what was written, field for field, health and readiness included, lowest seq first', async () => {
      const store = await f.create();
      const health = statusUpdate(7, {
        health: {
          checkIndex: 0,
          alive: false,
          consecutiveFailures: 2,
          firstSuccess: '2026-01-01T00:00:01.000Z',
          lastSuccess: '2026-01-01T00:00:02.000Z',
          lastFailure: '2026-01-01T00:00:03.000Z',
          lastFailureCause: 'HTTP 503',
        },
      });
      const readiness = statusUpdate(3, {
        readiness: { name: 'ready', ready: true, lastResponse: { status: 200, contentType: 'text/plain', body: 'ok' } },
      });
      const failed = statusUpdate(12, {
        state: 'TASK_FAILED',
        reason: 'REASON_COMMAND_EXECUTOR_FAILED',
        message: 'exited with code 3',
        exitCode: 3,
      });
      for (const stored of [health, failed, readiness]) await store.write(stored);
      expect((await store.load()).updates).toEqual([readiness, health, failed]);
    });

    it('keeps what was written across a reopen, and forgets what was removed', async () => {
      const store = await f.create();
      const [a, b, c] = [statusUpdate(1), statusUpdate(2), statusUpdate(3)];
      for (const stored of [a, b, c]) await store.write(stored);
      await store.remove(b);
      const reopened = await f.reopen(store);
      expect((await reopened.load()).updates).toEqual([a, c]);
      await reopened.remove(a);
      await reopened.remove(a); // removing twice (an ack that came twice) is not an error
      expect((await reopened.load()).updates).toEqual([c]);
    });

    it('hands out copies: changing a loaded update changes nothing stored', async () => {
      const store = await f.create();
      await store.write(statusUpdate(1));
      const [loaded] = (await store.load()).updates;
      loaded.update.state = 'TASK_KILLED';
      expect((await store.load()).updates[0].update.state).toBe('TASK_RUNNING');
    });
  });
}
