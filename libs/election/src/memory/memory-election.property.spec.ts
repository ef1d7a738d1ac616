import fc from 'fast-check';
import { ElectionSim } from '../testing/election-sim';

const TIMINGS = { heartbeatMs: 100, electionTimeoutMs: 500 };
const FAULT_WINDOW_MS = 4_000;
const HEAL_MS = 3_000;

type Fault = { at: number; who: number; kind: 'crash' | 'restart' | 'pause' | 'resume' | 'resign' };

const faultArb = fc.record({
  at: fc.integer({ min: 0, max: FAULT_WINDOW_MS - 1 }),
  who: fc.integer({ min: 0, max: 3 }),
  kind: fc.constantFrom<Fault['kind']>('crash', 'restart', 'pause', 'resume', 'resign'),
});

/** Runs one scenario; returns the sim (stopped) for assertions. */
async function scenario(candidates: number, seed: number, faults: Fault[], deliverMaxMs: number): Promise<ElectionSim> {
  const sim = new ElectionSim({ candidates, timings: TIMINGS, seed, appendMaxMs: 20, deliverMaxMs });
  try {
    for (const name of sim.names) sim.start(name);
    let t = 0;
    for (const fault of [...faults].sort((a, b) => a.at - b.at)) {
      await sim.run(fault.at - t);
      t = fault.at;
      const name = sim.names[fault.who % candidates];
      if (fault.kind === 'crash') await sim.crash(name);
      else if (fault.kind === 'restart') sim.start(name);
      else if (fault.kind === 'pause') sim.pause(name);
      else if (fault.kind === 'resume') sim.resume(name);
      else sim.resign(name);
    }
    await sim.run(FAULT_WINDOW_MS - t);
    // Heal: everyone back and running, then the cluster must settle on one leader.
    for (const name of sim.names) {
      sim.resume(name);
      sim.start(name);
    }
    await sim.run(HEAL_MS);
    return sim;
  } finally {
    await sim.stopAll();
  }
}

describe('in-memory election under random faults and delays (fast-check)', () => {
  it('never lets two candidates win the same term, never moves a term back, and settles on one leader', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 4 }),
        fc.integer(),
        fc.array(faultArb, { maxLength: 12 }),
        fc.integer({ min: 0, max: 40 }),
        async (candidates, seed, faults, deliverMaxMs) => {
          const sim = await scenario(candidates, seed, faults, deliverMaxMs);
          // Per candidate, terms only grow (the sim records any step back as a violation).
          expect(sim.violations).toEqual([]);
          // No term is won twice. (Across candidates the announcements need not be in term order:
          // a candidate paused right after its claim learns it won term N only after resuming, when
          // another may already have won N + 1. Its lease never starts, and fencing covers writes.)
          const terms = sim.elected.map((e) => e.term);
          expect(new Set(terms).size).toBe(terms.length);
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);

  it('after the faults heal, exactly one candidate leads and all agree who', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer(), fc.array(faultArb, { maxLength: 8 }), async (seed, faults) => {
        const sim = new ElectionSim({ candidates: 3, timings: TIMINGS, seed, appendMaxMs: 10, deliverMaxMs: 20 });
        try {
          for (const name of sim.names) sim.start(name);
          let t = 0;
          for (const fault of [...faults].sort((a, b) => a.at - b.at)) {
            await sim.run(fault.at - t);
            t = fault.at;
            const name = sim.names[fault.who % 3];
            if (fault.kind === 'crash') await sim.crash(name);
            else if (fault.kind === 'restart') sim.start(name);
            else if (fault.kind === 'pause') sim.pause(name);
            else if (fault.kind === 'resume') sim.resume(name);
            else sim.resign(name);
          }
          await sim.run(FAULT_WINDOW_MS - t);
          for (const name of sim.names) {
            sim.resume(name);
            sim.start(name);
          }
          await sim.run(HEAL_MS);
          const leaders = sim.leaders();
          expect(leaders).toHaveLength(1);
          const views = sim.names.map((name) => sim.election(name)!.current());
          expect(new Set(views.map((v) => `${v.term}/${v.leader}`)).size).toBe(1);
          expect(views[0].leader).toBe(leaders[0]);
        } finally {
          await sim.stopAll();
        }
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});
