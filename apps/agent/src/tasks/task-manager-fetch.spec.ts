import { SeededIdSource } from '@cairn/common';
import pino from 'pino';
import { FetchFailedError } from '../executor';
import { SteppedClock } from '../health/health-test-support';
import type { StatusUpdate } from '../protocol/agent-protocol';
import { StatusUpdateQueue, type SendOutcome } from '../status/status-update-queue';
import { MemoryStatusUpdateStore } from '../status/status-update-store';
import type { AdoptedTaskView, KillOutcome, TaskExecutor, TaskExit, TaskSpec } from './task-executor';
import { TaskManager } from './task-manager';

// How a launch whose fetch fails, or is stopped by a kill, is reported: the executor's side is
// faked (its fetch is apps/agent/src/executor/fetch, tested with real files and HTTP).

const T0 = Date.UTC(2026, 0, 1);
const URI = 'http://artifacts.example/app.tgz';

/** A launch() that fetches until told how it ends: failFetch() or stopLaunch(). */
class FetchingExecutor implements TaskExecutor {
  readonly stopped: string[] = [];
  private readonly pending = new Map<string, (error: Error) => void>();
  onExit(_listener: (exit: TaskExit) => void): () => void {
    return () => undefined;
  }
  launch(spec: TaskSpec): Promise<{ taskId: string; pid: number }> {
    return new Promise((_resolve, reject) => this.pending.set(spec.taskId, reject));
  }
  failFetch(taskId: string, cause: string): void {
    this.pending.get(taskId)?.(new FetchFailedError({ taskId, uri: URI, cause, aborted: false }));
  }
  stopLaunch(taskId: string): void {
    this.stopped.push(taskId);
    this.pending.get(taskId)?.(new FetchFailedError({ taskId, uri: URI, cause: 'killed', aborted: true }));
  }
  kill(): KillOutcome {
    return 'not-running';
  }
  async adopt(): Promise<readonly AdoptedTaskView[]> {
    return [];
  }
  async acknowledgeExit(): Promise<void> {}
  close(): void {}
}

function setUp() {
  const clock = new SteppedClock(T0);
  const executor = new FetchingExecutor();
  const got: StatusUpdate[] = [];
  const logger = pino({ level: 'silent' });
  // eslint-disable-next-line prefer-const
  let tasks: TaskManager;
  const queue = new StatusUpdateQueue({
    store: new MemoryStatusUpdateStore(),
    transport: {
      send: async (update: StatusUpdate): Promise<SendOutcome> => {
        got.push(update);
        return { kind: 'acked' };
      },
    },
    clock,
    ids: new SeededIdSource('task-manager-fetch'),
    logger,
    onSettled: (update, outcome) => tasks.onSettled(update, outcome),
  });
  tasks = new TaskManager({ executor, queue, clock, logger, hostname: 'agent-1' });
  tasks.attach();
  queue.resume();
  const launch = (taskId: string) =>
    tasks.handleLine(
      JSON.stringify({
        type: 'launch',
        task: { taskId, appId: '/web', appVersion: 'v1', command: { shell: true, value: 'x' }, fetch: [{ uri: URI }] },
      }),
    );
  const settled = async () => {
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
  };
  return { executor, got, tasks, launch, settled };
}

describe('TaskManager: a launch with artifacts to fetch', () => {
  it('a failed fetch is TASK_FAILED, REASON_CONTAINER_LAUNCH_FAILED, the message naming the uri; no RUNNING', async () => {
    const { executor, got, launch, settled } = setUp();
    launch('web.1');
    executor.failFetch('web.1', 'HTTP 404 Not Found');
    await settled();
    expect(got.map((u) => [u.state, u.reason, u.message])).toEqual([
      ['TASK_FAILED', 'REASON_CONTAINER_LAUNCH_FAILED', `Failed to fetch '${URI}': HTTP 404 Not Found`],
    ]);
  });

  it('a kill during the fetch stops it, and the task ends TASK_KILLED without running', async () => {
    const { executor, got, tasks, launch, settled } = setUp();
    launch('web.2');
    tasks.kill('web.2');
    await settled();
    expect(executor.stopped).toEqual(['web.2']);
    expect(got.map((u) => [u.state, u.reason])).toEqual([['TASK_KILLED', null]]);
  });
});
