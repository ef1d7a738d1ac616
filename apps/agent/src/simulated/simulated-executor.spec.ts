import { ManualClock } from '@cairn/common';
import { TaskAlreadyLaunchedError } from '../executor';
import type { TaskExit, TaskSpec } from '../tasks/task-executor';
import { SimulatedExecutor } from './simulated-executor';
import { FAILED_EXIT_CODE, taskFate } from './task-fate';

const spec = (taskId: string): TaskSpec => ({
  taskId,
  appId: '/sim',
  appVersion: '2026-01-01T00:00:00.000Z',
  command: { shell: true, value: 'sleep 60' },
  env: {},
  ports: [],
  host: 'sim-1',
});

function setUp(fate: { runTimeMs?: number; failureRate?: number } = {}) {
  const clock = new ManualClock();
  const executor = new SimulatedExecutor({
    clock,
    fate: { seed: 'unit', runUpMs: 10, runTimeMs: fate.runTimeMs, failureRate: fate.failureRate ?? 0 },
  });
  const exits: TaskExit[] = [];
  executor.onExit((exit) => exits.push(exit));
  return { clock, executor, exits };
}

/** Lets promise continuations and queued microtasks run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('SimulatedExecutor', () => {
  it('resolves a launch after the run-up, with a synthetic pid, and then runs until killed', async () => {
    const { clock, executor, exits } = setUp();
    let launched: { taskId: string; pid: number } | undefined;
    void executor.launch(spec('sim.1')).then((result) => (launched = result));
    clock.advance(9);
    await settle();
    expect(launched).toBeUndefined();
    clock.advance(1);
    await settle();
    expect(launched).toEqual({ taskId: 'sim.1', pid: expect.any(Number) });
    clock.advance(3_600_000);
    await settle();
    expect(exits).toEqual([]);
    expect(executor.counts).toMatchObject({ launched: 1, running: 1 });
  });

  it('ends a killed task as SIGTERM ends sleep: signaled, exit 143', async () => {
    const { clock, executor, exits } = setUp();
    const launch = executor.launch(spec('sim.1'));
    clock.advance(10);
    await launch;
    expect(executor.kill('sim.1')).toBe('signalled');
    expect(exits).toEqual([]); // never from inside kill()
    await settle();
    expect(exits).toEqual([
      { taskId: 'sim.1', kind: 'signaled', signal: 'SIGTERM', exitCode: 143, finishedAt: clock.now() },
    ]);
    expect(executor.kill('sim.1')).toBe('not-running');
    expect(executor.counts).toMatchObject({ running: 0, killed: 1 });
  });

  it('ends each task after the run time with the exit code its fate gives', async () => {
    const { clock, executor, exits } = setUp({ runTimeMs: 100, failureRate: 0.5 });
    const taskIds = Array.from({ length: 40 }, (_, i) => `sim.${i}`);
    const launches = Promise.all(taskIds.map((id) => executor.launch(spec(id))));
    clock.advance(10);
    await launches;
    clock.advance(99);
    await settle();
    expect(exits).toEqual([]);
    clock.advance(1);
    await settle();
    const want = taskIds.map(
      (id) => taskFate(id, { seed: 'unit', runUpMs: 10, runTimeMs: 100, failureRate: 0.5 }).exitCode,
    );
    expect(exits.map((exit) => (exit.kind === 'exited' ? exit.exitCode : exit.kind))).toEqual(want);
    expect(want).toContain(0);
    expect(want).toContain(FAILED_EXIT_CODE);
    expect(executor.counts.finished + executor.counts.failed).toBe(40);
  });

  it('runs a task id at most once, also after its end', async () => {
    const { clock, executor } = setUp({ runTimeMs: 0 });
    const launch = executor.launch(spec('sim.1'));
    clock.advance(10);
    await launch;
    await executor.acknowledgeExit('sim.1');
    await expect(executor.launch(spec('sim.1'))).rejects.toBeInstanceOf(TaskAlreadyLaunchedError);
    expect(executor.counts.launched).toBe(1);
  });

  it('stops every timer on close: nothing ends afterwards, and nothing launches', async () => {
    const { clock, executor, exits } = setUp({ runTimeMs: 50 });
    const launch = executor.launch(spec('sim.1'));
    clock.advance(10);
    await launch;
    executor.close();
    clock.advance(1_000);
    await settle();
    expect(exits).toEqual([]);
    await expect(executor.launch(spec('sim.2'))).rejects.toThrow(/closed/);
  });
});
