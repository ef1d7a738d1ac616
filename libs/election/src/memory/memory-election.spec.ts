import { ManualClock } from '@cairn/common';
import type { ElectionChange } from '../election';
import { ElectionSim } from '../testing/election-sim';
import { runFor, settle } from '../testing/manual-run';
import { memoryElection } from './memory-election';
import { MemoryElectionTopic } from './memory-election-topic';

const TIMINGS = { heartbeatMs: 100, electionTimeoutMs: 500 };

function sim(seed = 7): ElectionSim {
  return new ElectionSim({ candidates: 3, timings: TIMINGS, seed, appendMaxMs: 5, deliverMaxMs: 10 });
}

describe('memoryElection (3 candidates, ManualClock)', () => {
  let s: ElectionSim;
  afterEach(async () => {
    await s.stopAll();
    expect(s.violations).toEqual([]);
  });

  it('elects one leader that keeps its term while it heartbeats', async () => {
    s = sim();
    s.names.forEach((n) => s.start(n));
    await s.run(200);
    const [leader] = s.leaders();
    expect(s.leaders()).toHaveLength(1);
    await s.run(10_000);
    expect(s.leaders()).toEqual([leader]);
    expect(s.elected).toHaveLength(1);
    expect(s.topic.log.filter((r) => r.type === 'heartbeat').length).toBeGreaterThanOrEqual(99);
  });

  it('a crashed leader is replaced within about one election timeout, by a higher term', async () => {
    s = sim();
    s.names.forEach((n) => s.start(n));
    await s.run(1_000);
    const [first] = s.leaders();
    const crashedAt = s.clock.now();
    await s.crash(first);
    await s.run(1_000);
    const [second] = s.leaders();
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    const took = s.elected[s.elected.length - 1].at - crashedAt;
    expect(took).toBeGreaterThanOrEqual(TIMINGS.electionTimeoutMs - TIMINGS.heartbeatMs);
    expect(took).toBeLessThanOrEqual(TIMINGS.electionTimeoutMs + 2 * 15); // + claim round trip
  });

  it('a paused leader does not lead once its lease lapses, and steps down for good on resuming', async () => {
    s = sim();
    s.names.forEach((n) => s.start(n));
    await s.run(1_000);
    const [first] = s.leaders();
    const term = s.election(first)!.current().term;
    s.pause(first);
    await s.run(TIMINGS.electionTimeoutMs - TIMINGS.heartbeatMs);
    expect(s.election(first)!.isLeader()).toBe(false); // lease = timeout − T after its last heartbeat
    await s.run(2_000);
    const [second] = s.leaders();
    expect(second).not.toBe(first);
    s.resume(first);
    await s.run(1);
    expect(s.election(first)!.current()).toMatchObject({ leading: false });
    await s.run(1_000);
    expect(s.election(first)!.current()).toMatchObject({ leader: second, leading: false });
    expect(s.election(first)!.current().term).toBeGreaterThan(term);
    expect(s.leaders()).toEqual([second]);
  });

  it('resign hands over to a standby at once, not back to the resigner', async () => {
    s = sim();
    s.names.forEach((n) => s.start(n));
    await s.run(1_000);
    const [first] = s.leaders();
    s.resign(first);
    await s.run(50);
    const [second] = s.leaders();
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    expect(s.topic.log.some((r) => r.type === 'resign' && r.candidate === first)).toBe(true);
  });

  it('a late starter follows a healthy leader and never deposes it', async () => {
    s = sim();
    s.start(s.names[0]);
    s.start(s.names[1]);
    await s.run(1_000);
    const [leader] = s.leaders();
    s.start(s.names[2]);
    await s.run(5_000);
    expect(s.leaders()).toEqual([leader]);
    expect(s.elected).toHaveLength(1);
    expect(s.election(s.names[2])!.current().leader).toBe(leader);
  });

  it('a restarted leader (same name, new incarnation) does not lead on its old claim', async () => {
    s = sim();
    s.names.forEach((n) => s.start(n));
    await s.run(1_000);
    const [first] = s.leaders();
    await s.crash(first);
    s.start(first); // back before anyone timed out
    await s.run(50);
    expect(s.election(first)!.isLeader()).toBe(false);
    await s.run(2_000);
    expect(s.leaders()).toHaveLength(1);
    expect(s.elected.filter((e) => e.candidate === first)).toHaveLength(1); // only the first term
  });
});

describe('memoryElection listener and lifecycle', () => {
  it('reports leader-changed once caught up, then elected, then deposed on stop', async () => {
    const clock = new ManualClock(0);
    const topic = new MemoryElectionTopic(clock);
    const election = memoryElection({ topic, candidate: 'a:1', clock, timings: TIMINGS });
    const changes: ElectionChange[] = [];
    election.subscribe((c) => changes.push(c));
    const campaign = election.campaign();
    await runFor(clock, 10);
    await campaign;
    expect(election.current()).toEqual({ term: 1, leader: 'a:1', leading: true });
    const stopping = election.stop();
    await runFor(clock, 1);
    await stopping;
    expect(changes).toEqual([
      { type: 'leader-changed', term: 0, leader: null },
      { type: 'leader-changed', term: 1, leader: 'a:1' },
      { type: 'elected', term: 1 },
      { type: 'deposed', term: 1, reason: 'stopped' },
    ]);
    expect(topic.log.map((r) => r.type)).toEqual(['claim', 'heartbeat', 'resign']);
    expect(election.isLeader()).toBe(false);
  });

  it('refuses timings with too little margin', () => {
    const clock = new ManualClock(0);
    const topic = new MemoryElectionTopic(clock);
    expect(() =>
      memoryElection({ topic, candidate: 'a:1', clock, timings: { heartbeatMs: 100, electionTimeoutMs: 250 } }),
    ).toThrow(/at least 3 × heartbeatMs/);
  });

  it('leaves no timer behind after stop', async () => {
    const clock = new ManualClock(0);
    const topic = new MemoryElectionTopic(clock);
    const election = memoryElection({ topic, candidate: 'a:1', clock, timings: TIMINGS });
    void election.campaign();
    await runFor(clock, 1_000);
    await election.stop({ resign: false });
    await settle();
    const before = topic.log.length;
    await runFor(clock, 5_000);
    expect(topic.log.length).toBe(before);
  });
});
