import { ManualClock } from '@cairn/common';
import type { Election, Term } from '../election';
import type { ElectionTimings } from '../election-timings';
import { memoryElection } from '../memory/memory-election';
import { MemoryElectionTopic } from '../memory/memory-election-topic';
import { PausableClock } from './pausable-clock';
import { runFor, settle } from './manual-run';

/** A small seeded generator (mulberry32): the same seed, the same run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SimOptions {
  readonly candidates: number;
  readonly timings: ElectionTimings;
  readonly seed: number;
  /** Upper bounds of the random produce and fetch delays. */
  readonly appendMaxMs: number;
  readonly deliverMaxMs: number;
}

/** Every `elected` any incarnation reported, in order. */
export interface ElectedRecord {
  readonly candidate: string;
  readonly term: Term;
  readonly at: number;
}

/**
 * N candidates on one in-memory election topic and one ManualClock, each on its own pausable
 * clock; records every election and every safety violation as it happens.
 */
export class ElectionSim {
  readonly clock = new ManualClock(0);
  readonly topic: MemoryElectionTopic;
  readonly names: string[];
  readonly elected: ElectedRecord[] = [];
  readonly violations: string[] = [];
  private readonly elections = new Map<string, Election>();
  private readonly clocks = new Map<string, PausableClock>();
  private readonly lastTerm = new Map<string, Term>();

  constructor(private readonly options: SimOptions) {
    const random = seededRandom(options.seed);
    this.topic = new MemoryElectionTopic(this.clock, {
      appendMs: () => Math.floor(random() * (options.appendMaxMs + 1)),
      deliverMs: () => Math.floor(random() * (options.deliverMaxMs + 1)),
    });
    this.names = Array.from({ length: options.candidates }, (_, i) => `10.0.0.${i + 1}:8080`);
  }

  election(name: string): Election | undefined {
    return this.elections.get(name);
  }

  isPaused(name: string): boolean {
    return this.clocks.get(name)?.isPaused ?? false;
  }

  /** Starts (or restarts, as a new incarnation) a candidate; does not wait for it to catch up. */
  start(name: string): void {
    if (this.elections.has(name)) return;
    const clock = new PausableClock(this.clock);
    const election = memoryElection({ topic: this.topic, candidate: name, clock, timings: this.options.timings });
    election.subscribe((change) => {
      if (change.type !== 'elected') return;
      const owner = this.elected.find((e) => e.term === change.term);
      if (owner && owner.candidate !== name) {
        this.violations.push(`term ${change.term} won by both ${owner.candidate} and ${name}`);
      }
      const mine = this.elected.filter((e) => e.candidate === name);
      if (mine.length > 0 && mine[mine.length - 1].term >= change.term) {
        this.violations.push(`${name} elected for term ${change.term} after term ${mine[mine.length - 1].term}`);
      }
      this.elected.push({ candidate: name, term: change.term, at: this.clock.now() });
    });
    this.elections.set(name, election);
    this.clocks.set(name, clock);
    this.lastTerm.set(name, 0);
    void election.campaign();
  }

  /** Stops a candidate without resigning, as a crash would. */
  async crash(name: string): Promise<void> {
    const election = this.elections.get(name);
    if (!election) return;
    this.elections.delete(name);
    this.clocks.delete(name);
    await election.stop({ resign: false });
  }

  pause(name: string): void {
    this.clocks.get(name)?.pause();
  }

  resume(name: string): void {
    this.clocks.get(name)?.resume();
  }

  /** Resigns without waiting: the Resign reaches the topic only as the clock runs. */
  resign(name: string): void {
    const election = this.elections.get(name);
    if (election && !this.isPaused(name)) void election.resign();
  }

  /** Runs the clock, checking the invariants after every millisecond. */
  async run(ms: number): Promise<void> {
    for (let i = 0; i < ms; i++) {
      await runFor(this.clock, 1);
      this.check();
    }
  }

  leaders(): string[] {
    return [...this.elections].filter(([, e]) => e.isLeader()).map(([name]) => name);
  }

  async stopAll(): Promise<void> {
    for (const name of [...this.elections.keys()]) await this.crash(name);
    await settle();
  }

  private check(): void {
    const leadersByTerm = new Map<Term, string[]>();
    for (const [name, election] of this.elections) {
      const view = election.current();
      const last = this.lastTerm.get(name) ?? 0;
      if (view.term < last) this.violations.push(`${name}'s term went back from ${last} to ${view.term}`);
      this.lastTerm.set(name, view.term);
      if (view.leading) leadersByTerm.set(view.term, [...(leadersByTerm.get(view.term) ?? []), name]);
    }
    for (const [term, names] of leadersByTerm) {
      if (names.length > 1)
        this.violations.push(`at ${this.clock.now()} ${names.join(' and ')} both lead term ${term}`);
    }
  }
}
