import { ExecutorClosedError, TaskAlreadyLaunchedError } from '../executor';
import { ExitRecorder } from '../executor/executor-test-support';
import type { TaskExecutor, TaskSpec } from '../tasks/task-executor';

/**
 * What the agent's TaskManager relies on from every TaskExecutor, run against each implementation:
 * the process executor (real processes, int tier) and the simulated one (timers, unit tier).
 */
export interface TaskExecutorFixture {
  /**
   * A new executor. `tasks`: 'run' = its tasks run until killed; 'end' = they exit 0 on their own
   * soon after they start (a process executor decides that by the spec, a simulated one by its
   * settings: both are given).
   */
  create(tasks: 'run' | 'end'): TaskExecutor;
  spec(taskId: string, tasks: 'run' | 'end'): TaskSpec;
  /** A task id no earlier test used. */
  taskId(): string;
  /** Called with every launched task's pid (the process executor's group), for cleanup. */
  launched(pid: number): void;
  cleanup(): Promise<void>;
}

export function describeTaskExecutorContract(name: string, fixture: () => TaskExecutorFixture): void {
  describe(`TaskExecutor contract: ${name}`, () => {
    let f: TaskExecutorFixture;
    const executors: TaskExecutor[] = [];
    const create = (tasks: 'run' | 'end') => {
      const executor = f.create(tasks);
      executors.push(executor);
      return { executor, exits: new ExitRecorder(executor) };
    };
    const launch = async (executor: TaskExecutor, taskId: string, tasks: 'run' | 'end') => {
      const launched = await executor.launch(f.spec(taskId, tasks));
      f.launched(launched.pid);
      return launched;
    };
    beforeEach(() => {
      f = fixture();
    });
    afterEach(async () => {
      for (const executor of executors.splice(0)) executor.close();
      await f.cleanup();
    });

    it('launches a task and names it with its pid', async () => {
      const { executor } = create('run');
      const taskId = f.taskId();
      const launched = await launch(executor, taskId, 'run');
      expect(launched.taskId).toBe(taskId);
      expect(Number.isInteger(launched.pid) && launched.pid > 0).toBe(true);
    });

    it('launches a task id at most once', async () => {
      const { executor } = create('run');
      const taskId = f.taskId();
      await launch(executor, taskId, 'run');
      await expect(executor.launch(f.spec(taskId, 'run'))).rejects.toBeInstanceOf(TaskAlreadyLaunchedError);
    });

    it('kills a running task: signalled now, its exit (SIGTERM) through onExit, to every listener still subscribed', async () => {
      const { executor, exits } = create('run');
      const unsubscribed: unknown[] = [];
      executor.onExit((exit) => unsubscribed.push(exit))();
      const taskId = f.taskId();
      await launch(executor, taskId, 'run');
      expect(executor.kill(taskId)).toBe('signalled');
      expect(executor.kill(taskId)).not.toBe('signalled'); // a kill under way is not sent twice
      expect(await exits.next(taskId)).toMatchObject({ taskId, kind: 'signaled', signal: 'SIGTERM' });
      expect(unsubscribed).toEqual([]);
    });

    it('reports a task that ends on its own as exited 0, and then has nothing to kill', async () => {
      const { executor, exits } = create('end');
      const taskId = f.taskId();
      await launch(executor, taskId, 'end');
      expect(await exits.next(taskId)).toMatchObject({ taskId, kind: 'exited', exitCode: 0 });
      await executor.acknowledgeExit(taskId);
      expect(executor.kill(taskId)).toBe('not-running');
    });

    it('has nothing to kill for a task it never launched', () => {
      const { executor } = create('run');
      expect(executor.kill(f.taskId())).toBe('not-running');
    });

    it('adopts nothing on a fresh start, and launches nothing once closed', async () => {
      const { executor } = create('run');
      expect(await executor.adopt()).toEqual([]);
      executor.close();
      await expect(executor.launch(f.spec(f.taskId(), 'run'))).rejects.toBeInstanceOf(ExecutorClosedError);
    });
  });
}
