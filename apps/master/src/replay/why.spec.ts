import { join } from 'node:path';
import { FileEventLog } from '@cairn/eventlog/file/file-event-log';
import type { CairnEvent, RecordedEvent } from '@cairn/events';
import { readEvents } from '../core/event-stream';
import { replayTo } from './state-at';
import { describe as describeEvent, explain } from './why';

/** The golden log of 0.1.0 (test/golden): crashes, backoff, health kills, an unreachable agent, a failover. */
const GOLDEN = join(__dirname, '../../../../test/fixtures/golden/0.1.0/log');

describe('why, on the golden log', () => {
  let log: FileEventLog;
  let events: RecordedEvent<CairnEvent>[];
  let sources: Parameters<typeof explain>[2];

  beforeAll(async () => {
    log = new FileEventLog({ dir: GOLDEN, readOnly: true });
    await log.open();
    events = [];
    for await (const batch of readEvents(log, { from: 0 })) events.push(...batch);
    const { projection } = await replayTo(log, events.at(-1)!.offset, { subjects: true });
    sources = { log, index: projection.subjects!, state: projection.state };
  });
  afterAll(() => log.close());

  it('follows an ended task to its end and to the task launched because it ended', async () => {
    const ends = events.filter(
      (e) => e.type === 'TaskStatusUpdated' && ['TASK_FAILED', 'TASK_KILLED'].includes(e.data.state),
    );
    const replaced = ends.filter((end) => events.some((e) => e.type === 'TaskLaunched' && e.causationId === end.id));
    expect(replaced.length).toBeGreaterThan(0);
    for (const end of replaced) {
      const taskId = (end.data as { taskId: string }).taskId;
      const why = (await explain('task', taskId, sources)) as {
        ended: { offset: number };
        replacedBy: { taskId: string; offset: number }[];
        placement: { agentId: string };
        history: { type: string }[];
      };
      const expected = events.filter((e) => e.type === 'TaskLaunched' && e.causationId === end.id);
      expect(why.ended.offset).toBe(end.offset);
      expect(why.replacedBy.map((r) => r.offset)).toEqual(expected.map((e) => e.offset));
      const launch = events.find((e) => e.type === 'TaskLaunched' && e.data.taskId === taskId)!;
      expect(why.placement.agentId).toBe((launch.data as { agentId: string }).agentId);
      expect(why.history.map((h) => h.type)).toContain('TaskStatusUpdated');
    }
  });

  it('names the request behind every app change, and refuses an unknown entity', async () => {
    const apps = new Set(
      events.filter((e) => e.type === 'AppCreated').map((e) => (e.data as { app: { id: string } }).app.id),
    );
    for (const appId of apps) {
      const why = (await explain('app', appId, sources)) as { changes: { type: string; request?: unknown }[] };
      expect(why.changes[0].type).toBe('AppCreated');
      for (const change of why.changes.filter((c) => c.type === 'DeploymentStarted')) {
        expect(change).toHaveProperty('request');
      }
    }
    await expect(explain('task', 'no-such-task', sources)).rejects.toThrow(/no task 'no-such-task'/);
  });
});

describe('why, in words: agent maintenance', () => {
  const envelope = {
    id: 'e',
    v: 1,
    at: '2026-01-01T00:00:00.000Z',
    actor: 'ops',
    correlationId: 'c',
    causationId: null,
  };
  it('says what a drain did', () => {
    expect(
      describeEvent({
        ...envelope,
        type: 'AgentDrainStarted',
        data: { agentId: 'a1', deadline: '2026-01-01T00:10:00.000Z', deploymentIds: ['d1'] },
      }),
    ).toBe('agent a1 drains (maintenance), tasks moved by d1, deadline 2026-01-01T00:10:00.000Z');
    expect(describeEvent({ ...envelope, type: 'AgentDrained', data: { agentId: 'a1' } })).toBe(
      'agent a1 drained: no task left',
    );
    expect(describeEvent({ ...envelope, type: 'AgentReactivated', data: { agentId: 'a1' } })).toBe(
      'agent a1 reactivated',
    );
  });
});
