import type { CairnEvent, RecordedEvent } from '@cairn/events';
import { ProjectionFailedError, ProjectionRunner } from './projection-runner';

function leaderElected(offset: number, epoch: number): RecordedEvent<CairnEvent> {
  return {
    offset,
    id: `00000000-0000-4000-8000-00000000000${epoch}`,
    type: 'LeaderElected',
    v: 1,
    at: '2026-11-25T12:00:00.000Z',
    actor: 'system',
    correlationId: 'c',
    causationId: 'c',
    data: { instance: 'a:1', epoch },
  };
}

describe('ProjectionRunner', () => {
  it('records the applied offset and counts events', () => {
    const runner = new ProjectionRunner();
    expect(runner.appliedOffset).toBe(-1);
    runner.apply([leaderElected(0, 1), leaderElected(4, 2)]);
    expect(runner.appliedOffset).toBe(4);
    expect(runner.nextOffset).toBe(5);
    expect(runner.eventsApplied).toBe(2);
    expect(runner.state.leader).toEqual({ instance: 'a:1', epoch: 2 });
  });

  it('stops loudly on an offset that does not increase, and stays stopped', () => {
    const runner = new ProjectionRunner();
    runner.apply([leaderElected(3, 1)]);
    expect(() => runner.apply([leaderElected(3, 2)])).toThrow(ProjectionFailedError);
    expect(() => runner.state).toThrow(/not after the applied offset 3/);
    expect(() => runner.apply([leaderElected(9, 3)])).toThrow(ProjectionFailedError);
  });

  it('leaves leadership out of the hash: a new LeaderElected does not change it', () => {
    const runner = new ProjectionRunner();
    runner.apply([leaderElected(0, 1)]);
    const before = runner.hash();
    runner.apply([leaderElected(1, 2)]);
    expect(runner.hash()).toBe(before);
    expect(before).toMatch(/^[0-9a-f]{64}$/);
  });
});
