import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { SystemClock } from '@cairn/common';
import type { ElectionChange, Term } from '../election';
import type { ElectionRunner } from '../election-runner';
import { PausableClock } from '../testing/pausable-clock';
import { kafkaElection } from './kafka-election';

// A real broker is required: these tests fail, never skip, without one (`npm test` starts one).
const BROKERS = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);
if (BROKERS.length === 0) {
  throw new Error('KAFKA_BROKERS is not set: the election int tests need a broker (npm run kafka:start, or npm test)');
}

// Conservative timings and generous waits: other test runs share the 2 cores. Safety is
// asserted, never speed.
jest.setTimeout(120_000);
const TIMINGS = { heartbeatMs: 100, electionTimeoutMs: 500 };
const WAIT_MS = 30_000;
const SAMPLE_EVERY_MS = 5;

interface Candidate {
  readonly name: string;
  readonly election: ElectionRunner;
  readonly clock: PausableClock;
  readonly changes: ElectionChange[];
}

/**
 * The candidates of one test, one cluster, and a monitor that checks safety the whole time:
 * no term won by two candidates, each candidate's terms only grow, never two candidates leading
 * the same term at the same moment (sampled every few ms).
 */
class Cluster {
  readonly name = `it-elect-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  readonly candidates: Candidate[] = [];
  readonly violations: string[] = [];
  private readonly winners = new Map<Term, string>();
  private sampling = true;
  private readonly sampler: Promise<void>;

  constructor() {
    this.sampler = this.sample();
  }

  async add(name: string): Promise<Candidate> {
    const clock = new PausableClock(new SystemClock());
    const election = kafkaElection({ brokers: BROKERS, cluster: this.name, candidate: name, clock, timings: TIMINGS });
    const candidate: Candidate = { name, election, clock, changes: [] };
    let lastTerm = 0;
    election.subscribe((change) => {
      candidate.changes.push(change);
      if (change.term < lastTerm) this.violations.push(`${name} went back from term ${lastTerm} to ${change.term}`);
      lastTerm = Math.max(lastTerm, change.term);
      if (change.type !== 'elected') return;
      const owner = this.winners.get(change.term);
      if (owner && owner !== name) this.violations.push(`term ${change.term} won by ${owner} and ${name}`);
      this.winners.set(change.term, name);
    });
    this.candidates.push(candidate);
    await election.campaign();
    return candidate;
  }

  leaders(): Candidate[] {
    return this.candidates.filter((c) => c.election.isLeader());
  }

  /** The one candidate that leads, once there is exactly one. */
  async oneLeader(minTerm = 1): Promise<Candidate> {
    await waitFor(
      () => this.leaders().length === 1 && this.leaders()[0].election.current().term >= minTerm,
      'one leader',
    );
    return this.leaders()[0];
  }

  async stop(): Promise<void> {
    this.sampling = false;
    await this.sampler;
    for (const c of this.candidates) c.clock.resume();
    await Promise.all(this.candidates.map((c) => c.election.stop({ resign: false })));
  }

  private async sample(): Promise<void> {
    while (this.sampling) {
      const byTerm = new Map<Term, string[]>();
      for (const c of this.candidates) {
        const view = c.election.current();
        if (view.leading) byTerm.set(view.term, [...(byTerm.get(view.term) ?? []), c.name]);
      }
      for (const [term, names] of byTerm) {
        if (names.length > 1) this.violations.push(`${names.join(' and ')} both lead term ${term}`);
      }
      await sleep(SAMPLE_EVERY_MS);
    }
  }
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

let cluster: Cluster;
beforeEach(() => {
  cluster = new Cluster();
});
afterEach(async () => {
  await cluster.stop();
});

async function threeCandidates(): Promise<Candidate[]> {
  return Promise.all(['10.0.0.1:8080', '10.0.0.2:8080', '10.0.0.3:8080'].map((name) => cluster.add(name)));
}

describe('leader election on Kafka (3 candidates, one cluster, a real broker)', () => {
  it('elects exactly one leader, and every candidate agrees who it is', async () => {
    const candidates = await threeCandidates();
    const leader = await cluster.oneLeader();
    await sleep(10 * TIMINGS.heartbeatMs); // heartbeats keep it: no spurious election meanwhile
    expect(cluster.leaders().map((c) => c.name)).toEqual([leader.name]);
    const term = leader.election.current().term;
    await waitFor(() => candidates.every((c) => c.election.current().leader === leader.name), 'agreement');
    for (const c of candidates) expect(c.election.current()).toMatchObject({ term, leader: leader.name });
    expect(leader.changes).toContainEqual({ type: 'elected', term });
    expect(cluster.violations).toEqual([]);
  });

  it('after the leader crashes (clients closed, no resignation) another candidate leads a higher term', async () => {
    await threeCandidates();
    const first = await cluster.oneLeader();
    const term = first.election.current().term;
    await first.election.stop({ resign: false });
    const second = await cluster.oneLeader(term + 1);
    expect(second.name).not.toBe(first.name);
    expect(second.election.current().term).toBeGreaterThan(term);
    expect(cluster.violations).toEqual([]);
  });

  it('a paused leader stops claiming to lead, and on resuming sees the higher term and steps down', async () => {
    await threeCandidates();
    const first = await cluster.oneLeader();
    const term = first.election.current().term;
    first.clock.pause(); // its timers and record handling stop; its Kafka clients stay connected
    const second = await cluster.oneLeader(term + 1);
    expect(second.name).not.toBe(first.name);
    expect(first.election.isLeader()).toBe(false); // the lease lapsed: no I/O needed to know
    const newTerm = second.election.current().term;

    let claimedAfterResume = false;
    first.clock.resume();
    await waitFor(() => {
      claimedAfterResume ||= first.election.isLeader(term);
      return first.election.current().term >= newTerm;
    }, 'the resumed leader to read the new term');
    expect(claimedAfterResume).toBe(false);
    expect(first.changes.filter((c) => c.type === 'deposed')).toEqual([
      { type: 'deposed', term, reason: expect.stringMatching(/^(higher-term|lease-expired)$/) },
    ]);
    expect(first.election.current()).toMatchObject({ term: newTerm, leader: second.name, leading: false });
    await sleep(10 * TIMINGS.heartbeatMs);
    expect(cluster.leaders().map((c) => c.name)).toEqual([second.name]);
    expect(cluster.violations).toEqual([]);
  });

  it('resign hands over to another candidate, which leads a higher term', async () => {
    await threeCandidates();
    const first = await cluster.oneLeader();
    const term = first.election.current().term;
    await first.election.resign();
    expect(first.election.isLeader()).toBe(false);
    expect(first.changes).toContainEqual({ type: 'deposed', term, reason: 'resigned' });
    const second = await cluster.oneLeader(term + 1);
    expect(second.name).not.toBe(first.name);
    expect(cluster.violations).toEqual([]);
  });

  it('a candidate that starts late follows the healthy leader and never deposes it', async () => {
    await cluster.add('10.0.0.1:8080');
    await cluster.add('10.0.0.2:8080');
    const leader = await cluster.oneLeader();
    const term = leader.election.current().term;
    const late = await cluster.add('10.0.0.3:8080');
    expect(late.election.current()).toMatchObject({ term, leader: leader.name, leading: false });
    await sleep(4 * TIMINGS.electionTimeoutMs);
    expect(cluster.leaders().map((c) => c.name)).toEqual([leader.name]);
    for (const c of cluster.candidates) expect(c.election.current().term).toBe(term);
    expect(late.changes.filter((c) => c.type !== 'leader-changed')).toEqual([]);
    expect(cluster.violations).toEqual([]);
  });
});
