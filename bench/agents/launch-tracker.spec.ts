import { LaunchTracker } from './launch-tracker';
import type { RecordedEventJson } from './log-pages';

let offset = 0;
const event = (type: string, at: string, data: Record<string, unknown>): RecordedEventJson => ({
  offset: offset++,
  id: `e${offset}`,
  type,
  v: 1,
  at,
  actor: 'test',
  correlationId: 'c',
  causationId: 'c',
  data,
});
const scaled = (appId: string, at: string) => event('AppScaled', at, { appId, instances: 2 });
const launched = (taskId: string, appId: string, at: string) => event('TaskLaunched', at, { taskId, appId });
const status = (taskId: string, state: string, at: string) => event('TaskStatusUpdated', at, { taskId, state });

describe('LaunchTracker', () => {
  it('times each task from its own app’s scale to its first RUNNING, and knows the last RUNNING', () => {
    const tracker = new LaunchTracker(3);
    const events = [
      scaled('/a', '2026-01-01T00:00:00.000Z'),
      scaled('/b', '2026-01-01T00:00:00.010Z'),
      launched('a.1', '/a', '2026-01-01T00:00:00.020Z'),
      launched('b.1', '/b', '2026-01-01T00:00:00.020Z'),
      launched('a.2', '/a', '2026-01-01T00:00:00.020Z'),
      status('b.1', 'TASK_RUNNING', '2026-01-01T00:00:00.040Z'),
      status('a.1', 'TASK_RUNNING', '2026-01-01T00:00:00.050Z'),
      status('a.1', 'TASK_RUNNING', '2026-01-01T00:00:00.900Z'), // a duplicate changes nothing
      status('a.2', 'TASK_RUNNING', '2026-01-01T00:00:00.070Z'),
    ];
    for (const e of events) tracker.accept(e);
    expect(() => tracker.check()).not.toThrow();
    expect(tracker.latenciesMs().sort((x, y) => x - y)).toEqual([30, 50, 70]);
    expect(tracker.lastRunning()).toEqual({ atMs: Date.parse('2026-01-01T00:00:00.070Z'), offset: events[8].offset });
  });

  it('refuses a run where a task failed, or where fewer tasks than expected ran', () => {
    const failed = new LaunchTracker(1);
    failed.accept(status('a.1', 'TASK_FAILED', '2026-01-01T00:00:00.000Z'));
    expect(() => failed.check()).toThrow(/did not reach RUNNING/);
    const short = new LaunchTracker(2);
    short.accept(status('a.1', 'TASK_RUNNING', '2026-01-01T00:00:00.000Z'));
    expect(() => short.check()).toThrow(/1 tasks RUNNING, expected 2/);
  });

  it('refuses a RUNNING task whose app was never scaled in the events read', () => {
    const tracker = new LaunchTracker(1);
    tracker.accept(launched('a.1', '/a', '2026-01-01T00:00:00.000Z'));
    tracker.accept(status('a.1', 'TASK_RUNNING', '2026-01-01T00:00:00.010Z'));
    expect(() => tracker.latenciesMs()).toThrow(/without a recorded scale/);
  });
});
