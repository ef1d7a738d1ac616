import type { Clock } from '@cairn/common';
import type { Election, Term } from '../election';
import { ElectionRunner, type ElectionLogSink } from '../election-runner';
import type { ElectionTimings } from '../election-timings';
import type { MemoryElectionTopic } from './memory-election-topic';

export interface MemoryElectionOptions {
  readonly topic: MemoryElectionTopic;
  readonly candidate: string;
  readonly clock: Clock;
  readonly timings?: Partial<ElectionTimings>;
  readonly minTerm?: Term;
  readonly logger?: ElectionLogSink;
}

/** A candidate on an in-memory election topic: unit tests and the deterministic simulation. */
export function memoryElection(options: MemoryElectionOptions): Election {
  return new ElectionRunner({ ...options, transport: options.topic.transport(options.candidate) });
}
