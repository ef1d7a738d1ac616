import { ManualClock, SeededIdSource } from '@cairn/common';
import { decideAhead, stateHash, type Command } from '@cairn/domain';
import { anAgent } from '@cairn/domain/testing/cluster-builders';
import { MemoryEventLog } from '@cairn/eventlog/memory/memory-event-log';
import { ProjectionRunner } from '../core/projection-runner';
import { Sequencer } from '../core/sequencer';
import { dryRunAnswer } from './dry-run-answer';
import { dryRunEnvelope } from './dry-run-envelope';

const clock = new ManualClock(Date.UTC(2026, 10, 25, 12, 0, 0));
let commandSeq = 0;

function meta(actor = 'tester') {
  const commandId = `cmd-${++commandSeq}`;
  return { now: clock.now(), actor, commandId, correlationId: commandId };
}

/** The master's Tick as the ticker builds it, with both agents connected. */
const tick = (seed: string): Command => ({
  kind: 'Tick',
  seed,
  agentUnreachableMs: 60_000,
  connectedAgentIds: ['agent-1', 'agent-2'],
  leaderSinceMs: clock.now(),
  launchTimeoutMs: 300_000,
  meta: meta('system'),
});

async function cluster() {
  const log = new MemoryEventLog({ offsetGap: 1 });
  await log.open();
  const projection = new ProjectionRunner();
  const sequencer = (seed: string) =>
    new Sequencer({
      log,
      projection,
      ids: new SeededIdSource(seed),
      onFatal: (e) => {
        throw e;
      },
    });
  const setup = sequencer('setup');
  for (const agent of ['agent-1', 'agent-2']) await setup.submit({ ...anAgent(agent).register(), meta: meta('agent') });
  await setup.submit({
    kind: 'CreateApp',
    force: false,
    app: { id: '/web', cmd: 'sleep 100', cpus: 1, mem: 64, instances: 1 },
    meta: meta(),
  });
  clock.advance(1000);
  await setup.submit(tick('setup-tick'));
  setup.stop(new Error('set-up done'));
  return { log, projection, sequencer };
}

describe('a dry run on the master', () => {
  it('envelopes every event exactly as the sequencer then writes it (same ids from the same seed)', async () => {
    const { log, projection, sequencer } = await cluster();
    clock.advance(1000);
    const scale: Command = {
      kind: 'UpdateApp',
      force: true,
      appId: '/web',
      body: { instances: 3 },
      partial: true,
      meta: meta(),
    };
    const next = tick('the-tick');
    const before = { end: await log.endOffset(), hash: stateHash(projection.state) };

    const dry = decideAhead(
      projection.state,
      scale,
      dryRunEnvelope(new SeededIdSource('same'), projection.lastEventAt),
      (_f, i) => (i === 1 ? next : null),
    );
    expect({ end: await log.endOffset(), hash: stateHash(projection.state) }).toEqual(before);
    expect(before.end).toBeGreaterThan(0);

    const real = sequencer('same');
    const written = [...(await real.submit(scale)).events, ...(await real.submit(next)).events];
    expect(written.length).toBeGreaterThan(3);
    expect(dry.flatMap((d) => d.events)).toEqual(written.map(({ offset: _offset, ...event }) => event));
  });

  it('reads placements, the plan and notes off the events', async () => {
    const { projection } = await cluster();
    const scale: Command = {
      kind: 'UpdateApp',
      force: true,
      appId: '/web',
      body: { instances: 3 },
      partial: true,
      meta: meta(),
    };
    const decisions = decideAhead(projection.state, scale, dryRunEnvelope(new SeededIdSource('x'), null), (_f, i) =>
      i === 1 ? tick('t') : null,
    );
    const answer = dryRunAnswer(decisions, projection.state, projection.appliedOffset);
    expect(answer.dryRun).toBe(true);
    expect(answer.decidedAtOffset).toBe(projection.appliedOffset);
    expect(answer.deployment?.steps).toEqual([{ actions: [{ action: 'ScaleApplication', app: '/web' }] }]);
    expect(answer.decisions.map((d) => d.command)).toEqual(['UpdateApp', 'Tick']);
    expect(answer.placements).toHaveLength(2);
    expect(answer.placements.every((p) => p.appId === '/web' && p.host === `${p.agentId}.example`)).toBe(true);
    expect(answer.kills).toEqual([]);
    expect(answer.notes.join(' ')).toMatch(/Only the first scheduler tick/);
  });

  it('names the victims of a scale-down with their app and host', async () => {
    const { projection } = await cluster();
    const [task] = [...projection.state.tasks.values()];
    const down: Command = {
      kind: 'UpdateApp',
      force: true,
      appId: '/web',
      body: { instances: 0 },
      partial: true,
      meta: meta(),
    };
    const decisions = decideAhead(projection.state, down, dryRunEnvelope(new SeededIdSource('x'), null));
    const answer = dryRunAnswer(decisions, projection.state, projection.appliedOffset);
    expect(answer.kills).toEqual([
      { taskId: task!.taskId, appId: '/web', agentId: task!.agentId, host: task!.host, reason: expect.any(String) },
    ]);
  });

  it('refuses an event the codec would refuse with the 422 the write gets', async () => {
    const { projection } = await cluster();
    const bad: Command = {
      kind: 'UpdateApp',
      force: true,
      appId: '/web',
      body: { instances: 1.5 },
      partial: true,
      meta: meta(),
    };
    expect(() => decideAhead(projection.state, bad, dryRunEnvelope(new SeededIdSource('x'), null))).toThrow(
      expect.objectContaining({ name: 'CommandRejected', kind: 'invalid' }),
    );
  });
});
