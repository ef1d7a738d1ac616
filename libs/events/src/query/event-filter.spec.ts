import type { CairnEvent } from '../catalogue';
import { EventQueryError, matchesFilter, parseEventFilter, parseLogPosition } from './event-filter';
import { subjectsOf } from './subjects';

const envelope = { id: 'e', v: 1, at: '2026-12-06T14:02:00.000Z', actor: 'ops', correlationId: 'c', causationId: null };
const status = {
  ...envelope,
  type: 'TaskStatusUpdated',
  data: {
    taskId: 't1',
    agentId: 'a1',
    state: 'TASK_RUNNING',
    updateId: null,
    reason: null,
    message: null,
    exitCode: null,
  },
} as CairnEvent;
const scaled = {
  ...envelope,
  type: 'AppScaled',
  v: 2,
  data: { appId: '/prod/web', instances: 3 },
} as unknown as CairnEvent;
const appOfTask = (taskId: string) => (taskId === 't1' ? '/prod/web' : undefined);

describe('event filters', () => {
  it('refuses an unknown type, naming the known ones, instead of matching nothing', () => {
    expect(() => parseEventFilter({ type: 'AppScaled,AppScald' })).toThrow(EventQueryError);
    expect(() => parseEventFilter({ type: 'AppScald' })).toThrow(/unknown event type 'AppScald'.*AppScaled/);
  });

  it('refuses empty values', () => {
    expect(() => parseEventFilter({ app: '' })).toThrow(/'app' needs a value/);
    expect(() => parseEventFilter({ task: 'a,,b' })).toThrow(EventQueryError);
  });

  it("selects a task's statuses by its app, learnt from the task's launch", () => {
    const filter = parseEventFilter({ app: 'prod/web' });
    expect(matchesFilter(filter, status, appOfTask)).toBe(true);
    expect(matchesFilter(filter, status, () => undefined)).toBe(false);
    expect(matchesFilter(filter, scaled, appOfTask)).toBe(true);
    expect(matchesFilter(parseEventFilter({ app: '/prod/db' }), scaled, appOfTask)).toBe(false);
  });

  it('ANDs kinds and ORs the values of one kind', () => {
    expect(matchesFilter(parseEventFilter({ app: '/prod/web', agent: 'a1' }), status, appOfTask)).toBe(true);
    expect(matchesFilter(parseEventFilter({ app: '/prod/web', agent: 'a2' }), status, appOfTask)).toBe(false);
    expect(matchesFilter(parseEventFilter({ agent: ['a2', 'a1'] }), status, appOfTask)).toBe(true);
    expect(matchesFilter(parseEventFilter({ type: 'AppScaled', app: '/prod/web' }), status, appOfTask)).toBe(false);
    expect(matchesFilter(parseEventFilter({ task: 't1' }), scaled, appOfTask)).toBe(false);
  });

  it('reads a position as an offset or an ISO-8601 time, and refuses anything else', () => {
    expect(parseLogPosition('42')).toEqual({ offset: 42 });
    expect(parseLogPosition('2026-12-06T14:02:00Z')).toEqual({
      timeMs: Date.parse('2026-12-06T14:02:00Z'),
      time: '2026-12-06T14:02:00.000Z',
    });
    expect(parseLogPosition('2026-12-06')).toMatchObject({ timeMs: Date.parse('2026-12-06') });
    for (const bad of ['x', '-1', '4.5', '14:02', '2026-13-45T99:00:00Z', '']) {
      expect(() => parseLogPosition(bad, 'at')).toThrow(/'at' must be an offset/);
    }
  });

  it('names what each event is about', () => {
    expect(subjectsOf(status)).toEqual([
      { kind: 'task', id: 't1' },
      { kind: 'agent', id: 'a1' },
    ]);
    expect(subjectsOf(scaled)).toEqual([{ kind: 'app', id: '/prod/web' }]);
  });
});
