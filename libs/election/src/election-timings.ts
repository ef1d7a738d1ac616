/** How fast the election moves; one set per cluster (every candidate must use the same). */
export interface ElectionTimings {
  /** A leader writes a heartbeat this often (T). */
  readonly heartbeatMs: number;
  /** A standby that saw no sign of life of the current term for this long claims the next (k·T). */
  readonly electionTimeoutMs: number;
  /**
   * A timer that fires this much later than due means this process stalled (GC, SIGSTOP, CPU
   * starvation); a standby then restarts its timeout instead of trusting what it read, or did
   * not read, meanwhile. Default: heartbeatMs.
   */
  readonly stallBudgetMs?: number;
}

export interface ResolvedTimings {
  readonly heartbeatMs: number;
  readonly electionTimeoutMs: number;
  readonly stallBudgetMs: number;
  /**
   * A leader leads until leaseMs after sending the last heartbeat it has seen in the topic.
   * leaseMs = electionTimeoutMs − heartbeatMs: standbys start their timeout at receipt, which is
   * after the send, so the leader's lease ends at least one heartbeat before any standby claims.
   */
  readonly leaseMs: number;
}

/** Defaults for production: failover in about 0.5 s, tolerant of a missed heartbeat or two. */
export const DEFAULT_HEARTBEAT_MS = 100;
export const DEFAULT_ELECTION_TIMEOUT_MS = 500;
/** electionTimeoutMs / heartbeatMs must be at least this: the lease keeps room for a late heartbeat. */
export const TIMEOUT_HEARTBEATS_MIN = 3;

export class ElectionTimingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ElectionTimingsError';
  }
}

/** Fills defaults and refuses timings with too little margin to be stable. */
export function resolveTimings(timings: Partial<ElectionTimings> = {}): ResolvedTimings {
  const heartbeatMs = timings.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const electionTimeoutMs = timings.electionTimeoutMs ?? DEFAULT_ELECTION_TIMEOUT_MS;
  const stallBudgetMs = timings.stallBudgetMs ?? heartbeatMs;
  if (!(heartbeatMs > 0) || !Number.isFinite(heartbeatMs)) {
    throw new ElectionTimingsError(`heartbeatMs must be a positive number, got ${heartbeatMs}`);
  }
  if (!(electionTimeoutMs >= TIMEOUT_HEARTBEATS_MIN * heartbeatMs)) {
    throw new ElectionTimingsError(
      `electionTimeoutMs (${electionTimeoutMs}) must be at least ${TIMEOUT_HEARTBEATS_MIN} × heartbeatMs ` +
        `(${heartbeatMs}): with less, one late heartbeat deposes a healthy leader`,
    );
  }
  if (!(stallBudgetMs > 0) || stallBudgetMs >= electionTimeoutMs) {
    throw new ElectionTimingsError(
      `stallBudgetMs (${stallBudgetMs}) must be positive and below electionTimeoutMs (${electionTimeoutMs})`,
    );
  }
  return { heartbeatMs, electionTimeoutMs, stallBudgetMs, leaseMs: electionTimeoutMs - heartbeatMs };
}
