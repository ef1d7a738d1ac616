import { setTimeout as sleep } from 'node:timers/promises';
import { SystemClock } from '@cairn/common';
import { kafkaElection, memoryElection, MemoryElectionTopic, type Election, type Term } from '@cairn/election';
import { type Benchmark, type BenchContext, requireKafka, sized } from '../core/bench-context';
import type { BenchResult } from '../core/bench-result';
import { compare, row, type Sample, type Side } from '../core/compare';
import { percentile } from '../core/stats';

/** notes/kafka.md §0.1 measured T 50 / k 4 and T 100 / k 3; k 5 leaves room for a loaded machine. */
const TIMINGS = { heartbeatMs: 50, electionTimeoutMs: 250 } as const;
const CANDIDATES = 3;
const SIZES = {
  full: { failoversPerRepetition: 10, repetitions: 2 },
  smoke: { failoversPerRepetition: 2, repetitions: 1 },
};
/** Standbys run this long with a steady leader before it is killed (well past their catch-up). */
const STEADY_MS = 2 * TIMINGS.electionTimeoutMs;
const WAIT_MS = 30_000;

type MakeCandidate = (name: string) => Election;

/**
 * Leader failover: a leader dies (its election is stopped without resigning, which stops its
 * heartbeats at once, as a crash would) → another candidate is told it leads. Cairn's Kafka
 * election against the very same runner and state machine on an in-memory topic with the
 * system clock (no Kafka): the baseline is what the algorithm itself costs at these timings on
 * this machine now, so the ratio is the price of Kafka round trips.
 */
export const electionFailoverBenchmark: Benchmark = {
  name: 'election-failover',
  needsKafka: true,
  async run(ctx: BenchContext): Promise<BenchResult> {
    const brokers = requireKafka(ctx);
    const sizes = sized(ctx, SIZES);
    let clusterSeq = 0;
    const spurious = { kafka: 0, memory: 0 };
    // Every failover of each side, over all repetitions: p50 and max are taken over these.
    const seen = { kafka: [] as number[], memory: [] as number[] };
    const subject: Side = {
      label: 'Kafka election (kafkaElection)',
      run: async () => {
        const cluster = `${ctx.runId}-election-${clusterSeq++}`;
        const make: MakeCandidate = (name) => kafkaElection({ brokers, cluster, candidate: name, timings: TIMINGS });
        const { failoversMs, extraElections } = await measureFailovers(make, sizes.failoversPerRepetition);
        spurious.kafka += extraElections;
        seen.kafka.push(...failoversMs);
        return sample(failoversMs);
      },
    };
    const baseline: Side = {
      label: 'same runner on an in-memory topic (SystemClock)',
      run: async () => {
        const clock = new SystemClock();
        const topic = new MemoryElectionTopic(clock);
        const make: MakeCandidate = (name) => memoryElection({ topic, candidate: name, clock, timings: TIMINGS });
        const { failoversMs, extraElections } = await measureFailovers(make, sizes.failoversPerRepetition);
        spurious.memory += extraElections;
        seen.memory.push(...failoversMs);
        return sample(failoversMs);
      },
    };
    const comparison = await compare({ subject, baseline, repetitions: sizes.repetitions, warmUp: false });
    const floor = TIMINGS.electionTimeoutMs;
    return {
      name: 'election-failover',
      title: 'Leader failover (election)',
      method:
        `${CANDIDATES} candidates of one cluster; the leader is stopped without resigning; time from that moment to ` +
        "another candidate's `elected` event, vs the same runner and state machine on an in-memory topic (no Kafka)",
      settings: {
        heartbeatMs: TIMINGS.heartbeatMs,
        electionTimeoutMs: TIMINGS.electionTimeoutMs,
        candidates: CANDIDATES,
        failoversPerRepetition: sizes.failoversPerRepetition,
        repetitions: sizes.repetitions,
        latency: 'per failover, ms; p50 and max over all failovers are in the details',
      },
      rows: [
        row({
          case: `T ${TIMINGS.heartbeatMs} ms, timeout ${TIMINGS.electionTimeoutMs} ms`,
          unit: 'failovers/s',
          comparison,
          details: {
            floorMs: floor,
            failovers: seen.kafka.length,
            kafkaP50Ms: round2(percentile(seen.kafka, 50)),
            kafkaMaxMs: round2(Math.max(...seen.kafka)),
            memoryP50Ms: round2(percentile(seen.memory, 50)),
            memoryMaxMs: round2(Math.max(...seen.memory)),
            kafkaP50OverFloor: round2(percentile(seen.kafka, 50) / floor),
            kafkaMaxOverFloor: round2(Math.max(...seen.kafka) / floor),
            spuriousElectionsKafka: spurious.kafka,
            spuriousElectionsMemory: spurious.memory,
          },
        }),
      ],
      notes: [
        'Failover = electionTimeoutMs after the last heartbeat a standby saw (so between (k−1)·T and k·T after the crash), ' +
          'plus the claim round trip (produce acks -1, then fetch it back). "Spurious" counts elections no crash caused; ' +
          'it should be 0. The new leader opening its log writer (InitProducerId, LeaderElected) is not included.',
      ],
    };
  },
};

function sample(failoversMs: number[]): Sample {
  return {
    ops: failoversMs.length,
    seconds: failoversMs.reduce((a, b) => a + b, 0) / 1000,
    latenciesMs: failoversMs,
  };
}

/** Kills the leader `count` times, restarting a candidate after each kill; ms per failover. */
async function measureFailovers(
  make: MakeCandidate,
  count: number,
): Promise<{ failoversMs: number[]; extraElections: number }> {
  const live = new Map<string, Election>();
  const stopping: Promise<void>[] = [];
  const electedAt = new Map<Term, bigint>();
  let elections = 0;
  let seq = 0;
  const add = async () => {
    const name = `10.9.0.${seq++}:8080`;
    const election = make(name);
    election.subscribe((change) => {
      if (change.type !== 'elected') return;
      electedAt.set(change.term, process.hrtime.bigint());
      elections += 1;
    });
    live.set(name, election);
    await election.campaign();
  };
  const failoversMs: number[] = [];
  const phase = lcg(count);
  try {
    for (let i = 0; i < count; i++) {
      while (live.size < CANDIDATES) await add();
      await waitFor(() => steadyLeader(live) !== null, 'a steady leader');
      // A random phase within the heartbeat period: killing always just after a heartbeat (the
      // polling above is phase-locked to them) would measure only the worst case.
      await sleep(STEADY_MS + Math.floor(phase() * TIMINGS.heartbeatMs));
      const leader = steadyLeader(live);
      if (!leader) throw new Error('the leader changed while nothing was killed');
      const term = leader.current().term;
      const killedAt = process.hrtime.bigint();
      stopping.push(leader.stop({ resign: false }));
      live.delete(leader.candidate);
      await waitFor(() => [...electedAt.keys()].some((t) => t > term), 'a new leader');
      const next = Math.min(...[...electedAt.keys()].filter((t) => t > term));
      failoversMs.push(Number(electedAt.get(next)! - killedAt) / 1e6);
    }
  } finally {
    await Promise.all([...live.values()].map((e) => e.stop({ resign: false })));
    await Promise.all(stopping);
  }
  // One election to start, one per kill; anything more was not caused by a kill.
  return { failoversMs, extraElections: elections - 1 - count };
}

/** The leader, when exactly one candidate leads and every candidate agrees. */
function steadyLeader(live: Map<string, Election>): Election | null {
  const all = [...live.values()];
  const leaders = all.filter((e) => e.isLeader());
  if (leaders.length !== 1) return null;
  return all.every((e) => e.current().leader === leaders[0].candidate) ? leaders[0] : null;
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`election-failover: timed out waiting for ${what}`);
    await sleep(2);
  }
}

/** A small seeded generator in [0, 1): the same kill phases in every run. */
function lcg(seed: number): () => number {
  let state = (seed * 2654435761) >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
