import type { ElectionRecord } from './election-record';
import {
  initialState,
  leads,
  nextTickAt,
  step,
  view,
  type MachineAction,
  type MachineInput,
  type MachineState,
} from './election-machine';
import { resolveTimings } from './election-timings';

const T = resolveTimings({ heartbeatMs: 100, electionTimeoutMs: 500 }); // lease 400
const claim = (term: number, candidate: string, sentAt = 0): ElectionRecord => ({
  type: 'claim',
  term,
  candidate,
  sentAt,
});
const hb = (term: number, candidate: string, sentAt = 0): ElectionRecord => ({
  type: 'heartbeat',
  term,
  candidate,
  sentAt,
});
const resignRec = (term: number, candidate: string): ElectionRecord => ({ type: 'resign', term, candidate, sentAt: 0 });

/**
 * Runs inputs in order, as the runner would: every tick that comes due before an input's time
 * runs first, at its due time (so big jumps are not mistaken for stalls); returns the final
 * state and every action.
 */
function run(state: MachineState, inputs: MachineInput[]): { state: MachineState; actions: MachineAction[] } {
  const actions: MachineAction[] = [];
  const apply = (input: MachineInput) => {
    const r = step(state, input);
    state = r.state;
    actions.push(...r.actions);
  };
  for (const input of inputs) {
    while (state.dueAt < input.now) apply({ type: 'tick', now: state.dueAt });
    apply(input);
  }
  return { state, actions };
}
const sends = (actions: readonly MachineAction[]) => actions.flatMap((a) => (a.type === 'send' ? [a.record] : []));
const changes = (actions: readonly MachineAction[]) => actions.flatMap((a) => (a.type === 'notify' ? [a.change] : []));

/** A follower of `leader` in term 1, caught up at t=0. */
function followerOf(self: string, leader: string): MachineState {
  return run(initialState(self, T, 0), [
    { type: 'record', record: claim(1, leader), now: 0 },
    { type: 'caught-up', now: 0 },
  ]).state;
}

/** `self` leads term 1: claimed at t=0 on an empty topic, saw its claim at t=5. */
function leaderState(self = 'a'): MachineState {
  return run(initialState(self, T, 0), [
    { type: 'caught-up', now: 0 },
    { type: 'record', record: claim(1, self, 0), now: 5 },
  ]).state;
}

describe('ElectionMachine', () => {
  it('claims term 1 at once on a topic where no term was ever won', () => {
    const { actions } = run(initialState('a', T, 0), [{ type: 'caught-up', now: 0 }]);
    expect(sends(actions)).toEqual([claim(1, 'a', 0)]);
  });

  it('never claims before it has read the topic to its end', () => {
    const { state, actions } = run(initialState('a', T, 0), [{ type: 'tick', now: 10_000 }]);
    expect(sends(actions)).toEqual([]);
    expect(state.role).toBe('starting');
  });

  it('leads when its own claim is the first of the term, then heartbeats at once', () => {
    const { state, actions } = run(initialState('a', T, 0), [
      { type: 'caught-up', now: 0 },
      { type: 'record', record: claim(1, 'a', 0), now: 5 },
    ]);
    expect(state.role).toBe('leader');
    expect(changes(actions)).toContainEqual({ type: 'elected', term: 1 });
    expect(sends(actions)).toEqual([claim(1, 'a', 0), hb(1, 'a', 5)]);
    expect(leads(state, 399)).toBe(true); // lease = claim sentAt 0 + 400
    expect(leads(state, 400)).toBe(false);
  });

  it('loses a term to an earlier claim and follows its winner', () => {
    const { state, actions } = run(initialState('a', T, 0), [
      { type: 'caught-up', now: 0 },
      { type: 'record', record: claim(1, 'b'), now: 3 },
      { type: 'record', record: claim(1, 'a'), now: 4 },
    ]);
    expect(state.role).toBe('follower');
    expect(view(state, 4)).toEqual({ term: 1, leader: 'b', leading: false });
    expect(changes(actions).some((c) => c.type === 'elected')).toBe(false);
    expect(state.claim).toBeNull();
  });

  it('does not lead a term its own old incarnation claimed (a restart reading its past)', () => {
    const { state, actions } = run(initialState('a', T, 0), [
      { type: 'record', record: claim(1, 'a'), now: 0 },
      { type: 'caught-up', now: 1 },
    ]);
    expect(state.role).toBe('follower');
    expect(changes(actions)).toEqual([{ type: 'leader-changed', term: 1, leader: 'a' }]);
  });

  it('a standby waits a full election timeout after catching up before claiming', () => {
    let s = followerOf('b', 'a');
    expect(sends(run(s, [{ type: 'tick', now: 499 }]).actions)).toEqual([]);
    s = run(s, [{ type: 'tick', now: 499 }]).state;
    expect(sends(run(s, [{ type: 'tick', now: 500 }]).actions)).toEqual([claim(2, 'b', 500)]);
  });

  it('every heartbeat of the current leader restarts the standby timeout', () => {
    const s = run(followerOf('b', 'a'), [
      { type: 'record', record: hb(1, 'a'), now: 300 },
      { type: 'tick', now: 700 },
    ]);
    expect(sends(s.actions)).toEqual([]);
    expect(sends(run(s.state, [{ type: 'tick', now: 800 }]).actions)).toEqual([claim(2, 'b', 800)]);
  });

  it('ignores heartbeats of other terms and of candidates that did not win', () => {
    const s = run(followerOf('b', 'a'), [
      { type: 'record', record: claim(1, 'c'), now: 1 }, // late claim, loses
      { type: 'record', record: hb(0 + 1, 'a'), now: 100 },
    ]).state;
    expect(s.winner).toBe('a');
    expect(s.progressAt).toBe(100);
  });

  it('a heartbeat of an unseen higher term means its sender won it (claim removed by retention)', () => {
    const { state, actions } = run(followerOf('b', 'a'), [{ type: 'record', record: hb(4, 'c'), now: 50 }]);
    expect(view(state, 50)).toEqual({ term: 4, leader: 'c', leading: false });
    expect(changes(actions)).toEqual([{ type: 'leader-changed', term: 4, leader: 'c' }]);
  });

  it('a leader is deposed by a higher term and says so once', () => {
    const { state, actions } = run(leaderState('a'), [{ type: 'record', record: claim(2, 'b'), now: 50 }]);
    expect(state.role).toBe('follower');
    expect(leads(state, 50)).toBe(false);
    expect(changes(actions)).toEqual([
      { type: 'deposed', term: 1, reason: 'higher-term' },
      { type: 'leader-changed', term: 2, leader: 'b' },
    ]);
  });

  it('a leader that sees its own heartbeats keeps its lease; one that does not loses it', () => {
    let s = leaderState('a'); // lease until 400
    s = run(s, [
      { type: 'tick', now: 105 },
      { type: 'record', record: hb(1, 'a', 105), now: 110 },
    ]).state;
    expect(leads(s, 504)).toBe(true); // 105 + 400
    const { state, actions } = run(s, [{ type: 'tick', now: 505 }]);
    expect(state.role).toBe('follower');
    expect(changes(actions)).toEqual([{ type: 'deposed', term: 1, reason: 'lease-expired' }]);
  });

  it('a paused leader never claims to lead after its lease, before any input arrives', () => {
    const s = leaderState('a');
    expect(view(s, 10_000).leading).toBe(false);
    // Its first input after the pause: no tick ran meanwhile.
    const resumed = step(s, { type: 'record', record: claim(2, 'b'), now: 10_000 });
    expect(changes(resumed.actions)[0]).toEqual({ type: 'deposed', term: 1, reason: 'higher-term' });
  });

  it('heartbeats every heartbeatMs while leading, and keeps its lease while it sees them', () => {
    let s = leaderState('a'); // first heartbeat at 5
    const sent: number[] = [];
    for (let now = 6; now <= 1_000; now++) {
      const r = run(s, [{ type: 'tick', now }]);
      s = r.state;
      for (const rec of sends(r.actions)) {
        sent.push(rec.sentAt);
        s = step(s, { type: 'record', record: rec, now: now + 1 }).state; // read back 1 ms later
      }
    }
    expect(sent).toEqual([105, 205, 305, 405, 505, 605, 705, 805, 905]);
    expect(leads(s, 1_000)).toBe(true);
  });

  it('resigning sends Resign, deposes, and holds off its own claim for a timeout', () => {
    const { state, actions } = run(leaderState('a'), [{ type: 'resign', now: 50 }]);
    expect(sends(actions)).toEqual([resignRec(1, 'a')].map((r) => ({ ...r, sentAt: 50 })));
    expect(changes(actions)).toEqual([{ type: 'deposed', term: 1, reason: 'resigned' }]);
    const seen = run(state, [{ type: 'record', record: { ...resignRec(1, 'a'), sentAt: 50 }, now: 52 }]);
    expect(sends(seen.actions)).toEqual([]);
    expect(sends(run(seen.state, [{ type: 'tick', now: 550 }]).actions)).toEqual([claim(2, 'a', 550)]);
  });

  it('a standby claims at once when the leader resigns', () => {
    const { state, actions } = run(followerOf('b', 'a'), [{ type: 'record', record: resignRec(1, 'a'), now: 20 }]);
    expect(sends(actions)).toEqual([claim(2, 'b', 20)]);
    expect(view(state, 20)).toEqual({ term: 1, leader: null, leading: false });
  });

  it('retries a claim it never saw in the topic after a timeout, for the next term', () => {
    let s = followerOf('b', 'a');
    s = run(s, [{ type: 'tick', now: 500 }]).state; // claims 2
    expect(s.claim).toEqual({ term: 2, sentAt: 500 });
    const { actions } = run(s, [{ type: 'tick', now: 1000 }]);
    expect(sends(actions)).toEqual([claim(2, 'b', 1000)]);
  });

  it('a won term whose winner never heartbeats is lost to the next claim after the grace period', () => {
    let s = followerOf('b', 'a');
    s = run(s, [{ type: 'record', record: claim(2, 'c'), now: 100 }]).state;
    expect(sends(run(s, [{ type: 'tick', now: 599 }]).actions)).toEqual([]);
    expect(sends(run(s, [{ type: 'tick', now: 600 }]).actions)).toEqual([claim(3, 'b', 600)]);
  });

  it('a standby whose timers ran late restarts its timeout instead of claiming on stale silence', () => {
    const s = followerOf('b', 'a'); // dueAt = 100
    const { state, actions } = step(s, { type: 'tick', now: 5_000 }); // no tick for 4.9 s
    expect(sends(actions)).toEqual([]);
    expect(state.progressAt).toBe(5_000);
    expect(sends(run(state, [{ type: 'tick', now: 5_500 }]).actions)).toEqual([claim(2, 'b', 5_500)]);
  });

  it('claims above minTerm (a floor known from the event log)', () => {
    const { actions } = run(initialState('a', T, 0, 41), [{ type: 'caught-up', now: 0 }]);
    expect(sends(actions)).toEqual([claim(42, 'a', 0)]);
  });

  it('stop while leading resigns unless told not to; a stopped machine does nothing', () => {
    const polite = run(leaderState('a'), [{ type: 'stop', resign: true, now: 50 }]);
    expect(sends(polite.actions).map((r) => r.type)).toEqual(['resign']);
    expect(changes(polite.actions)).toEqual([{ type: 'deposed', term: 1, reason: 'stopped' }]);
    const crash = run(leaderState('a'), [{ type: 'stop', resign: false, now: 50 }]);
    expect(sends(crash.actions)).toEqual([]);
    expect(run(crash.state, [{ type: 'tick', now: 10_000 }]).actions).toEqual([]);
    expect(nextTickAt(crash.state, 50)).toBe(Infinity);
  });

  it('the tick comes when the next decision is due', () => {
    const s = followerOf('b', 'a');
    expect(s.dueAt).toBe(100); // periodic
    const leader = leaderState('a');
    expect(leader.dueAt).toBe(105); // heartbeat sent at 5
  });
});
