import { draft, EventDraft } from '../command';
import { decide, evolve } from '../decider';
import { hashedView, initialState } from '../state';
import { canonicalJson } from '@cairn/common/canonical-json';
import { given, meta, recorded, stateAfter, T0 } from '../testing/decider-spec';
import type { ElectLeader } from './cluster.commands';

const electLeader = (instance: string, now = T0): ElectLeader => ({ kind: 'ElectLeader', instance, meta: meta(now) });
const leaderElected = (instance: string, epoch: number): EventDraft => draft('LeaderElected', { instance, epoch });

describe('ElectLeader', () => {
  it('the first leader of a log gets epoch 1', () => {
    given([])
      .when(electLeader('m1'))
      .then([leaderElected('m1', 1)]);
  });

  it('a new leader gets the epoch after the last one, even when it is the same instance', () => {
    given([leaderElected('m1', 1), leaderElected('m2', 2)])
      .when(electLeader('m1'))
      .then([leaderElected('m1', 3)]);
  });

  it('epochs strictly increase over a run of elections', () => {
    const state = initialState();
    const epochs: number[] = [];
    for (const instance of ['m1', 'm2', 'm2', 'm3', 'm1']) {
      for (const event of decide(electLeader(instance), state)) {
        evolve(state, recorded(event));
        epochs.push(state.leader!.epoch);
      }
    }
    expect(epochs).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('evolve (cluster)', () => {
  it('LeaderElected records who writes and at which epoch', () => {
    expect(stateAfter([leaderElected('m1', 1), leaderElected('m2', 2)]).leader).toEqual({ instance: 'm2', epoch: 2 });
  });

  it('leadership is not part of the hashed state: a restart does not change the hash', () => {
    const before = stateAfter([]);
    const after = stateAfter([leaderElected('m1', 1)]);
    expect(canonicalJson(hashedView(after))).toBe(canonicalJson(hashedView(before)));
  });
});

describe('RecordSnapshot', () => {
  const record = (offset: number, hash = 'b'.repeat(64)) => ({
    kind: 'RecordSnapshot' as const,
    offset,
    hash,
    format: 1,
    bytes: 123,
    meta: meta(T0),
  });
  const written = (offset: number, hash = 'b'.repeat(64)) =>
    draft('SnapshotWritten', { offset, hash, format: 1, bytes: 123 });

  const atLevel2 = draft('ClusterVersionRaised', { version: 2, previous: 1, leader: 'm1' });

  it('records a stored snapshot', () => {
    given([atLevel2])
      .when(record(10))
      .then([written(10)]);
  });

  it('never records one at or before the last recorded (a racing writer across a handover)', () => {
    given([atLevel2, written(10)])
      .when(record(10))
      .then([]);
    given([atLevel2, written(10)])
      .when(record(5))
      .then([]);
    given([atLevel2, written(10)])
      .when(record(11))
      .then([written(11)]);
  });

  it('records nothing below cluster version 2, where a master of the previous release could not read it', () => {
    given([]).when(record(10)).then([]);
  });
});
