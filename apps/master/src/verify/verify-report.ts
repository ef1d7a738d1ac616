/** What `cairn verify` found (docs/verify.md). Plain data: printed as text or JSON. */

/** Why verification stopped, at the first offset where something failed. */
export type VerifyFailureKind =
  /** The file log's frame checksum or framing failed (CorruptLogError). */
  | 'corrupt'
  /** A record's `cairn_chain` does not match sha256(previous ‖ value), or is missing after the chain started. */
  | 'chain'
  /** A record is not a valid event of this release (JSON, envelope, schema, unknown type). */
  | 'schema'
  /** `evolve` threw, or offsets went backwards. */
  | 'fold'
  /** The replayed state hash differs from one recorded (SnapshotWritten) or served (the leader). */
  | 'state-hash'
  /** The log could not be read at all (broker away, missing directory...). */
  | 'read';

/** An entry of the folded state: a map's key (or a set's member), or a scalar field (key null). */
export interface StateEntryRef {
  readonly field: string;
  readonly key: unknown;
}

export interface EntryDifference extends StateEntryRef {
  /** `missing`: only the reference has it; `extra`: only the replay has it; `changed`: both, different. */
  readonly kind: 'missing' | 'extra' | 'changed';
}

/** Where a state hash mismatch was narrowed down to (see docs/verify.md, "Finding the divergent event"). */
export interface Divergence {
  /** The last offset at which the replay matched a reference (-1: the empty state). */
  readonly lastMatchingOffset: number;
  /** How the entries were compared: the stored snapshot at the mismatching offset, or nothing to compare with. */
  readonly comparedWith: 'stored-snapshot' | 'none';
  /** Why there was nothing to compare with (comparedWith 'none'). */
  readonly why?: string;
  /** Entries that differ from the stored snapshot (at most DIFFERENCES_SHOWN_MAX). */
  readonly differences: readonly EntryDifference[];
  readonly differencesTotal: number;
  /** The first event after lastMatchingOffset that changed a differing entry. */
  readonly firstDivergentEvent: { offset: number; type: string; id: string; entry: StateEntryRef } | null;
}

export interface VerifyFailure {
  readonly kind: VerifyFailureKind;
  /** The first failing offset (for `state-hash`: the first divergent event when found, else the checkpoint). */
  readonly offset: number | null;
  readonly message: string;
  /** The file log's damaged frame. */
  readonly segment?: string;
  readonly position?: number;
  readonly divergence?: Divergence;
}

/** One state hash compared: a SnapshotWritten event's, or the live leader's. */
export interface HashCheckpoint {
  readonly source: 'snapshot' | 'leader';
  /** The state's offset (the hash is of the state right after the event at this offset). */
  readonly offset: number;
  /** Where the reference was recorded: the SnapshotWritten event's own offset (snapshots only). */
  readonly recordedAt?: number;
  readonly expected: string;
  /** null: not reached (verification stopped earlier). */
  readonly actual: string | null;
  readonly matches: boolean | null;
}

export interface VerifyReport {
  readonly log: string;
  /** The log's end when verification started: everything before it was checked. */
  readonly endOffset: number;
  /** Records read and integrity-checked (CRC, chain). */
  readonly records: number;
  readonly chain: {
    /** The first chained record, or null when none is (a log written before the chain). */
    readonly start: number | null;
    readonly chained: number;
    /** Records before the chain started (written by a release without it). */
    readonly unchainedBefore: number;
  };
  /** Events decoded and folded. */
  readonly events: number;
  readonly checkpoints: readonly HashCheckpoint[];
  readonly failure: VerifyFailure | null;
  readonly durationMs: number;
}

/** Progress of one pass over the log, for a progress bar. */
export interface VerifyProgress {
  readonly pass: 'integrity' | 'fold' | 'bisect';
  /** The offset reached, and the pass's end (exclusive). */
  readonly offset: number;
  readonly end: number;
}
