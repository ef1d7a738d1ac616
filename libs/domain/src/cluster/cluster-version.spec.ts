import { EVENT_FORMAT_LEVEL, formatLevelOf } from '@cairn/events';
import { CommandRejected, draft, EventDraft } from '../command';
import { decide } from '../decider';
import { hashedView } from '../state';
import { canonicalJson } from '@cairn/common/canonical-json';
import { given, meta, stateAfter } from '../testing/decider-spec';
import type { RaiseClusterVersion } from './cluster.commands';
import { assertWritable } from './format-gate';

const raise = (version: number, instance = 'm1:8080'): RaiseClusterVersion => ({
  kind: 'RaiseClusterVersion',
  version,
  instance,
  meta: meta(),
});
const raised = (version: number, previous: number, leader = 'm1:8080'): EventDraft =>
  draft('ClusterVersionRaised', { version, previous, leader });
const leaderElected = (instance: string, epoch: number): EventDraft => draft('LeaderElected', { instance, epoch });

describe('RaiseClusterVersion', () => {
  it('a log that never raised it is at cluster version 1', () => {
    expect(stateAfter([]).clusterVersion).toBe(1);
  });

  it('raises the version to what this release reads, recording the previous one and the leader', () => {
    given([leaderElected('m1:8080', 1)])
      .when(raise(EVENT_FORMAT_LEVEL))
      .then([raised(EVENT_FORMAT_LEVEL, 1)]);
    expect(stateAfter([raised(2, 1)]).clusterVersion).toBe(2);
  });

  it('refuses a version above what the leader itself reads', () => {
    given([])
      .when(raise(EVENT_FORMAT_LEVEL + 1, 'old:8080'))
      .thenThrows(
        'conflict',
        `cannot raise the cluster version to ${EVENT_FORMAT_LEVEL + 1}: the leader old:8080 reads event format level ${EVENT_FORMAT_LEVEL} at most (upgrade it, and every other master, first)`,
      );
  });

  it('refuses a version that is not a positive integer', () => {
    given([]).when(raise(0)).thenThrows('invalid');
    given([]).when(raise(1.5)).thenThrows('invalid');
  });

  it('never lowers it, and asking for the version it has changes nothing', () => {
    given([raised(2, 1)])
      .when(raise(2))
      .thenNothingHappened();
    given([raised(2, 1)])
      .when(raise(1))
      .thenNothingHappened();
    given([]).when(raise(1)).thenNothingHappened();
  });

  it('the cluster version is not part of the hashed state (a log without the event hashes as before)', () => {
    expect(canonicalJson(hashedView(stateAfter([raised(2, 1)])))).toBe(canonicalJson(hashedView(stateAfter([]))));
  });
});

describe('the format gate (assertWritable)', () => {
  // A future release: TaskLaunched v3 stands for a type introduced at level 3.
  const future = (type: EventDraft['type'], v: number) => (type === 'TaskLaunched' ? 3 : formatLevelOf(type, v));
  const launched = { type: 'TaskLaunched', data: {} } as unknown as EventDraft;
  const killed = { type: 'TaskKillRequested', data: {} } as unknown as EventDraft;

  it('lets through events of the cluster version and below', () => {
    expect(() => assertWritable([killed, leaderElected('m', 1)], 1, future)).not.toThrow();
    expect(() => assertWritable([launched], 3, future)).not.toThrow();
  });

  it('refuses a decision holding an event above the cluster version, naming it and the fix', () => {
    expect(() => assertWritable([killed, launched], 2, future)).toThrow(
      new CommandRejected(
        'conflict',
        'TaskLaunched v3 needs cluster version 3 and the cluster is at 2: upgrade every master, then raise it (POST /v1/cluster/version, cairn cluster upgrade)',
      ),
    );
  });

  it('a raise in the same decision lets the drafts after it through, not those before', () => {
    expect(() => assertWritable([raised(3, 2), launched], 2, future)).not.toThrow();
    expect(() => assertWritable([launched, raised(3, 2)], 2, future)).toThrow(
      /TaskLaunched v3 needs cluster version 3/,
    );
  });

  it('ClusterVersionRaised is allowed at the level it raises to, and only there', () => {
    expect(() => assertWritable([raised(2, 1)], 1)).not.toThrow();
    // A raise "to 1" could not carry the level-2 event that records it.
    expect(() => assertWritable([raised(1, 1)], 1)).toThrow(/ClusterVersionRaised v1 needs cluster version 2/);
  });

  it('decide runs through it: a raise decided from version 1 passes', () => {
    const state = stateAfter([]);
    expect(decide(raise(2), state)).toHaveLength(1);
  });
});
