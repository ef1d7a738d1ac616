import type { EventLog, SnapshotStore } from '@cairn/eventlog';
import { findDivergence } from './divergence';
import { checkFold, type ExpectedHash } from './fold-pass';
import { checkIntegrity, readFailure } from './integrity-pass';
import type { HashCheckpoint, VerifyFailure, VerifyProgress, VerifyReport } from './verify-report';

export interface VerifyOptions {
  /** An open log; only read. */
  readonly log: EventLog;
  /** How to describe the log in the report. */
  readonly describe: string;
  /** Opened only when a hash differs (to diff the stored snapshot); null: no snapshot store. */
  readonly snapshots?: (() => Promise<SnapshotStore | null>) | null;
  /** The live leader's GET /v1/state/hash, taken before the log's end is read. */
  readonly leader?: { readonly offset: number; readonly hash: string };
  readonly onProgress?: (progress: VerifyProgress) => void;
  readonly now?: () => number;
}

/**
 * `cairn verify` (docs/verify.md): integrity, then fold determinism, and the first offset where
 * either fails. Two passes over [0, end): the first checks checksums and the hash chain and finds
 * the recorded state hashes; the second replays up to the first integrity failure through the
 * master's ProjectionRunner and compares its state hash at every recorded offset.
 */
export async function verifyEventLog(options: VerifyOptions): Promise<VerifyReport> {
  const now = options.now ?? Date.now;
  const startedAt = now();
  const { log, onProgress } = options;
  let end: number;
  try {
    end = await log.endOffset();
  } catch (error) {
    return emptyReport(options.describe, readFailure(error), now() - startedAt);
  }
  const integrity = await checkIntegrity(log, end, onProgress);
  const foldTo = integrity.failure?.offset ?? (integrity.failure ? 0 : end);
  const expected: (ExpectedHash & { source: HashCheckpoint['source']; recordedAt?: number })[] = [
    ...integrity.recordedHashes.map((r) => ({ source: 'snapshot' as const, ...r })),
    ...(options.leader ? [{ source: 'leader' as const, ...options.leader }] : []),
  ];
  let failure: VerifyFailure | null = integrity.failure;
  if (options.leader && options.leader.offset >= end) {
    failure = earliest(failure, {
      kind: 'state-hash',
      offset: options.leader.offset,
      message: `the leader's state is at offset ${options.leader.offset}, beyond this log's end ${end}: not the same log`,
    });
  }
  const fold = await checkFold(log, foldTo, expected, onProgress);
  failure = earliest(failure, fold.failure);
  if (fold.mismatch) {
    const { expected: at, actual, runner } = fold.mismatch;
    const matched = [...fold.actual].filter(
      ([offset, hash]) => offset < at.offset && isExpected(expected, offset, hash),
    );
    const lastMatchingOffset = matched.reduce((last, [offset]) => Math.max(last, offset), -1);
    const divergence = await findDivergence({
      log,
      snapshots: options.snapshots ?? null,
      replayed: runner.state,
      offset: at.offset,
      lastMatchingOffset,
      onProgress,
    });
    const event = divergence.firstDivergentEvent;
    failure = earliest(failure, {
      kind: 'state-hash',
      offset: event?.offset ?? at.offset,
      message:
        `the replayed state at offset ${at.offset} hashes to ${actual}, not ${at.hash} as ` +
        `${describeSource(expected, at)} recorded` +
        (event
          ? `; the first event after offset ${lastMatchingOffset} that changed a differing entry ` +
            `(${event.entry.field} ${JSON.stringify(event.entry.key)}) is ${event.type} ${event.id} at offset ${event.offset}`
          : `; it diverged after offset ${lastMatchingOffset}` +
            (divergence.why ? ` (${divergence.why}: nothing to narrow it down with)` : '')),
      divergence,
    });
  }
  const checkpoints: HashCheckpoint[] = expected.map((e) => {
    const actual = fold.actual.get(e.offset) ?? null;
    return {
      source: e.source,
      offset: e.offset,
      ...(e.recordedAt !== undefined && { recordedAt: e.recordedAt }),
      expected: e.hash,
      actual,
      matches: actual === null ? null : actual === e.hash,
    };
  });
  return {
    log: options.describe,
    endOffset: end,
    records: integrity.records,
    chain: {
      start: integrity.chain.start,
      chained: integrity.chain.chained,
      unchainedBefore: integrity.chain.unchainedBefore,
    },
    events: fold.events,
    checkpoints,
    failure,
    durationMs: now() - startedAt,
  };
}

function isExpected(expected: readonly ExpectedHash[], offset: number, hash: string): boolean {
  return expected.filter((e) => e.offset === offset).every((e) => e.hash === hash);
}

function describeSource(
  expected: readonly (ExpectedHash & { source: string; recordedAt?: number })[],
  at: ExpectedHash,
): string {
  const e = expected.find((x) => x.offset === at.offset && x.hash === at.hash);
  return e?.source === 'leader' ? 'the live leader' : `the SnapshotWritten at offset ${e?.recordedAt}`;
}

/** The failure at the lower offset (a failure without an offset comes first: nothing after it was read). */
function earliest(a: VerifyFailure | null, b: VerifyFailure | null): VerifyFailure | null {
  if (!a || !b) return a ?? b;
  if (a.offset === null) return a;
  if (b.offset === null) return b;
  return b.offset < a.offset ? b : a;
}

export function emptyReport(describe: string, failure: VerifyFailure, durationMs: number): VerifyReport {
  return {
    log: describe,
    endOffset: 0,
    records: 0,
    chain: { start: null, chained: 0, unchainedBefore: 0 },
    events: 0,
    checkpoints: [],
    failure,
    durationMs,
  };
}
