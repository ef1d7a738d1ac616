import { SeededIdSource } from '@cairn/common/ids';
import { CairnEvent, encodeEvent } from '@cairn/events';
import { CommandRejected, envelopeCause, EventDraft } from '../command';
import type { Command } from '../decider';
import { stateHash } from '../state-hash';
import type { ClusterState } from '../state';
import { anAgent, createApp, scaleApp, tick, updateApp } from '../testing/cluster-builders';
import { ClusterScenario, connectedAgents } from '../testing/cluster-scenario';
import { recorded, T0 } from '../testing/decider-spec';
import { decideAhead, Envelope } from './decide-ahead';
import { forkState } from './fork-state';

const SECOND_MS = 1000;

/** The scenario's envelope (the sequencer's shape), with ids from a source of the dry run's own. */
function envelopeWith(ids: SeededIdSource): Envelope {
  return (d: EventDraft, command: Command, decided: ReadonlyMap<EventDraft, CairnEvent>) => {
    const event = { ...recorded(d, command.meta.now, ids.uuid()), ...envelopeCause(d, command.meta, decided) };
    encodeEvent(event);
    return event;
  };
}

/** Two agents and /web at `instances`, every task running; returns the time reached. */
function cluster(instances: number, fields: Record<string, unknown> = {}): { s: ClusterScenario; now: number } {
  const s = new ClusterScenario();
  let now = T0;
  s.run(anAgent('agent-1').register({ now }));
  s.run(anAgent('agent-2').register({ now }));
  s.run(createApp('/web', { instances, cpus: 1, mem: 64, ...fields }, now));
  for (let i = 0; i < 10 && s.state.deployments.size > 0; i++) {
    s.tick((now += SECOND_MS));
    s.reportAll((now += SECOND_MS));
  }
  expect(s.state.deployments.size).toBe(0);
  return { s, now };
}

/** The user's command, then one scheduler tick on the fork (what the master's dry run decides). */
function dryRun(state: ClusterState, command: Command, now: number, seed: string) {
  return decideAhead(state, command, envelopeWith(new SeededIdSource('dry-run')), (fork, i) =>
    i === 1 ? tick(now, { seed, connectedAgentIds: connectedAgents(fork), leaderSinceMs: T0 }) : null,
  );
}

/** What a comparison may rely on: types in order, and per event what is not an id. */
function summary(events: readonly (CairnEvent | EventDraft)[]) {
  return events.map((e) => {
    const data = e.data as Record<string, unknown>;
    if (e.type === 'TaskLaunched') return `${e.type} ${String(data.appId)} on ${String(data.agentId)}`;
    if (e.type === 'TaskKillRequested') return `${e.type} ${String(data.taskId)}`;
    if (e.type === 'DeploymentStarted') return `${e.type} ${JSON.stringify(data.steps)}`;
    return e.type;
  });
}

describe('decideAhead (a dry run)', () => {
  it('decides a scale 1 -> 3 and the next tick exactly as the real command and tick then do', () => {
    const { s, now } = cluster(1);
    const before = stateHash(s.state);
    const offsetBefore = s.log.length;

    const ahead = dryRun(s.state, scaleApp('/web', 3, now + SECOND_MS), now + SECOND_MS, 'tick-seed');

    expect(stateHash(s.state)).toBe(before);
    expect(s.log.length).toBe(offsetBefore);
    const [command, next] = ahead;
    expect(summary(command!.events)).toEqual([
      'AppScaled',
      `DeploymentStarted ${JSON.stringify([{ actions: [{ action: 'ScaleApplication', app: '/web' }] }])}`,
    ]);
    expect(next!.events.filter((e) => e.type === 'TaskLaunched')).toHaveLength(2);

    const real = [...s.run(scaleApp('/web', 3, now + SECOND_MS)), ...tickWithSeed(s, now + SECOND_MS, 'tick-seed')];
    expect(summary([...command!.events, ...next!.events])).toEqual(summary(real));
    // Same seed, same state: the same task ids (the dry run's own ids are only the envelopes').
    const launched = (events: readonly (CairnEvent | EventDraft)[]) =>
      events.flatMap((e) => (e.type === 'TaskLaunched' ? [e.data.taskId] : []));
    expect(launched(next!.events)).toEqual(launched(real));
  });

  it('decides a spec change (a rolling restart) and its first tick as the real ones', () => {
    const { s, now } = cluster(2);
    const change = updateApp('/web', { env: { COLOR: 'blue' } }, now + SECOND_MS);
    const ahead = dryRun(s.state, change, now + SECOND_MS, 'tick-seed');
    const events = ahead.flatMap((d) => d.events);
    expect(events[0]!.type).toBe('AppUpdated');
    expect(summary(events)).toContain(
      `DeploymentStarted ${JSON.stringify([{ actions: [{ action: 'RestartApplication', app: '/web' }] }])}`,
    );
    const real = [...s.run(change), ...tickWithSeed(s, now + SECOND_MS, 'tick-seed')];
    expect(summary(events)).toEqual(summary(real));
  });

  it('names causes inside the dry run: the launches name its DeploymentStarted, the command events its command', () => {
    const { s, now } = cluster(1);
    const [command, next] = dryRun(s.state, scaleApp('/web', 2, now), now, 'seed');
    const started = command!.events.find((e) => e.type === 'DeploymentStarted')!;
    expect(command!.events[0]!.causationId).toBe(command!.command.meta.commandId);
    const launch = next!.events.find((e) => e.type === 'TaskLaunched')!;
    expect(launch.causationId).toBe(started.id);
  });

  it('throws the refusal the real command gets (a locked app), and leaves the state as it was', () => {
    const { s, now } = cluster(1);
    s.run(scaleApp('/web', 3, now)); // a deployment now locks /web
    const before = stateHash(s.state);
    const locked = { ...scaleApp('/web', 4, now), force: false };
    expect(() => dryRun(s.state, locked, now, 'seed')).toThrow(CommandRejected);
    expect(() => s.run(locked)).toThrow(CommandRejected);
    expect(stateHash(s.state)).toBe(before);
  });
});

describe('forkState', () => {
  it('never changes the state it was forked from, whatever is evolved on the fork', () => {
    const { s, now } = cluster(2);
    const before = stateHash(s.state);
    const tasksBefore = [...s.state.tasks.values()];
    const fork = forkState(s.state);
    // Evolve a whole deployment on the fork: a scale, launches, statuses, kills.
    const onFork = new ClusterScenario();
    Object.assign(onFork, { state: fork });
    onFork.run(updateApp('/web', { instances: 4, cmd: 'sleep 5' }, now));
    for (let i = 0; i < 6; i++) {
      onFork.tick(now + i * SECOND_MS);
      onFork.reportAll(now + i * SECOND_MS);
      onFork.reportKills(now + i * SECOND_MS);
    }
    expect(stateHash(fork)).not.toBe(before);
    expect(stateHash(s.state)).toBe(before);
    // The records themselves were not mutated (shared, replaced on the fork).
    expect([...s.state.tasks.values()]).toEqual(tasksBefore);
    tasksBefore.forEach((task, i) => expect([...s.state.tasks.values()][i]).toBe(task));
  });
});

function tickWithSeed(s: ClusterScenario, now: number, seed: string): EventDraft[] {
  return s.run(tick(now, { seed, connectedAgentIds: connectedAgents(s.state), leaderSinceMs: T0 }));
}
