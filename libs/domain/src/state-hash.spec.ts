import { appCreated, anAgent } from './testing/cluster-builders';
import { recorded, stateAfter } from './testing/decider-spec';
import { evolve } from './decider';
import { draft } from './command';
import { initialState } from './state';
import { stateHash, stateHashSteps, viewOf } from './state-hash';

const events = [
  appCreated('/web', { instances: 2 }),
  appCreated('/api', { instances: 1 }),
  anAgent('agent-1').registered(),
  anAgent('agent-2').registered(),
];

describe('stateHash', () => {
  it('does not depend on the order maps were filled in', () => {
    expect(stateHash(stateAfter(events))).toBe(stateHash(stateAfter([...events].reverse())));
  });

  it('changes when any entry changes', () => {
    const base = stateHash(stateAfter(events));
    expect(stateHash(stateAfter(events.slice(1)))).not.toBe(base);
    expect(stateHash(stateAfter([...events.slice(0, 3), anAgent('agent-3').registered()]))).not.toBe(base);
  });

  it('the same hash whether computed in one go or in slices of any size', () => {
    const state = stateAfter(events);
    for (const perStep of [1, 2, 3, 1000]) {
      const steps = stateHashSteps(viewOf(state), perStep);
      let result = steps.next();
      let yields = 0;
      while (!result.done) {
        yields++;
        result = steps.next();
      }
      expect(result.value).toBe(stateHash(state));
      if (perStep === 1) expect(yields).toBeGreaterThanOrEqual(4);
    }
  });

  it('leaves out leadership and snapshot records', () => {
    const state = stateAfter(events);
    const before = stateHash(state);
    evolve(state, recorded(draft('LeaderElected', { instance: 'm1', epoch: 4 })));
    evolve(state, recorded(draft('SnapshotWritten', { offset: 3, hash: 'a'.repeat(64), format: 1, bytes: 10 })));
    expect(state.lastSnapshot).toEqual({ offset: 3, hash: 'a'.repeat(64) });
    expect(stateHash(state)).toBe(before);
  });

  it('a view is a consistent capture: later changes to the state do not reach it', () => {
    const state = stateAfter(events);
    const view = viewOf(state);
    const expected = stateHash(stateAfter(events));
    evolve(state, recorded(appCreated('/later')));
    const steps = stateHashSteps(view);
    let result = steps.next();
    while (!result.done) result = steps.next();
    expect(result.value).toBe(expected);
    expect(stateHash(initialState())).not.toBe(expected);
  });
});
