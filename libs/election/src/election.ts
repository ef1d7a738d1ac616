/**
 * The Election port: which master of a cluster leads, for which term.
 *
 * Contract (docs/election.md has the algorithm and the numbers):
 *
 * - A **term** is a positive integer; at most one candidate ever wins a given term, and the terms
 *   a candidate sees only grow. The leader id is the master's instance name (`host:port`), unique
 *   among the live candidates of a cluster.
 * - `campaign()` starts following the election topic and, once it has read it to its end, takes
 *   part. It resolves when this candidate knows the current state (a standby can serve from then).
 *   A candidate that starts late never deposes a healthy leader: it only claims after seeing no
 *   heartbeat of the current term for the election timeout, measured on its own clock after it
 *   caught up.
 * - `elected` (to the listener) means "you lead term N from now": the master then opens its log
 *   writer (transactional id fixed per cluster, so InitProducerId fences the previous leader's
 *   epoch) and appends `LeaderElected(term N)`. Before every leader-only act it checks
 *   `isLeader(N)`: an `elected` handler is async, and leadership may already be gone.
 * - `deposed` means "you no longer lead term N": a higher term was seen, the lease lapsed (the
 *   leader could not see its own heartbeats, e.g. after a pause), or it resigned or stopped. The
 *   master stops writing, closes its writer and follows the log as a standby. It must NEVER
 *   re-initialise its transactional producer on its own: only a later `elected` allows that.
 * - The election does not guarantee a single writer by itself (a paused leader may believe it
 *   leads for up to one lease after a successor won): Kafka's fencing of the transactional id
 *   does. `isLeader()` is conservative: it turns false when the lease lapses, without any I/O.
 */
export type Term = number;

/** What a candidate knows now. */
export interface LeaderView {
  /** The highest term known to have been won; 0 before any. */
  readonly term: Term;
  /** The winner of `term`; null when nobody is known to lead (none yet, or it resigned). */
  readonly leader: string | null;
  /** True while this candidate leads `term` and its lease holds. */
  readonly leading: boolean;
}

export type DeposedReason =
  /** Another candidate won a higher term. */
  | 'higher-term'
  /** This leader saw none of its own heartbeats come back for the lease (paused, cut off). */
  | 'lease-expired'
  /** `resign()` was called. */
  | 'resigned'
  /** `stop()` was called while leading. */
  | 'stopped';

export type ElectionChange =
  /** This candidate now leads `term`. */
  | { readonly type: 'elected'; readonly term: Term }
  /** This candidate no longer leads `term`. */
  | { readonly type: 'deposed'; readonly term: Term; readonly reason: DeposedReason }
  /** Who leads changed (any candidate, self included; `leader` null: vacant). */
  | { readonly type: 'leader-changed'; readonly term: Term; readonly leader: string | null };

export type ElectionListener = (change: ElectionChange) => void;

export interface StopOptions {
  /** Resign first when leading, so a standby takes over at once (default true). */
  readonly resign?: boolean;
}

export interface Election {
  /** This candidate's id (the master's `host:port`). */
  readonly candidate: string;
  /** Whether other candidates can exist, so leadership can be handed over (false for a sole writer). */
  readonly canHandOver: boolean;
  /** Follows the election topic and campaigns; resolves once caught up with it. */
  campaign(): Promise<void>;
  /** What this candidate knows now; `leading` accounts for the lease. */
  current(): LeaderView;
  /** True while this candidate leads (`term` given: leads that very term) and its lease holds. */
  isLeader(term?: Term): boolean;
  /** Calls `listener` on every change, in order; returns the unsubscribe function. */
  subscribe(listener: ElectionListener): () => void;
  /** Planned handover (`DELETE /v2/leader`): stop leading now and let a standby take over. */
  resign(): Promise<void>;
  /** Stops campaigning and following; resigns first when leading unless `resign: false`. */
  stop(options?: StopOptions): Promise<void>;
}
