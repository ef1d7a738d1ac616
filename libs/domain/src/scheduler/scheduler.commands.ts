import type { CommandMeta } from '../command';

/**
 * A tick of the injected clock: decides the time-driven things (agents unreachable after the
 * timeout) and runs one allocation pass when some app waits for resources. Decides nothing
 * (and writes nothing) on an idle cluster.
 */
export interface Tick {
  readonly kind: 'Tick';
  /** Seed for the ids this pass needs (offers, tasks): decided by the caller, recorded in events. */
  readonly seed: string;
  readonly agentUnreachableMs: number;
  readonly meta: CommandMeta;
}

export type SchedulerCommand = Tick;
