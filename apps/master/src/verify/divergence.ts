import type { EventLog, SnapshotStore } from '@cairn/eventlog';
import { decodeRecord } from '@cairn/events';
import { ProjectionRunner } from '../core/projection-runner';
import { decodeSnapshot, SNAPSHOT_FORMAT } from '../snapshots/snapshot-codec';
import type { ClusterState } from '@cairn/domain';
import { diffStates, entryFingerprint } from './state-diff';
import type { Divergence, EntryDifference, VerifyProgress } from './verify-report';

/** Differing entries kept in a report (the total is reported too). */
export const DIFFERENCES_SHOWN_MAX = 20;

/**
 * Narrows a state hash mismatch at `offset` down to an event (docs/verify.md): when the snapshot
 * store still holds the snapshot taken at `offset`, the replayed state is diffed against it entry
 * by entry, and the log is replayed again from the start, event by event past the last offset
 * that matched, until an event changes one of the differing entries: the first divergent event.
 * Without a stored snapshot there is nothing to diff, and the range is all that is known.
 */
export async function findDivergence(options: {
  readonly log: EventLog;
  readonly snapshots: (() => Promise<SnapshotStore | null>) | null;
  readonly replayed: ClusterState;
  readonly offset: number;
  readonly lastMatchingOffset: number;
  readonly onProgress?: (progress: VerifyProgress) => void;
}): Promise<Divergence> {
  const { log, offset, lastMatchingOffset } = options;
  const reference = await storedStateAt(options.snapshots, offset);
  if (typeof reference === 'string') {
    return {
      lastMatchingOffset,
      comparedWith: 'none',
      why: reference,
      differences: [],
      differencesTotal: 0,
      firstDivergentEvent: null,
    };
  }
  const differences = diffStates(options.replayed, reference);
  const firstDivergentEvent = await firstEventTouching(
    log,
    lastMatchingOffset,
    offset,
    differences,
    options.onProgress,
  );
  return {
    lastMatchingOffset,
    comparedWith: 'stored-snapshot',
    differences: differences.slice(0, DIFFERENCES_SHOWN_MAX),
    differencesTotal: differences.length,
    firstDivergentEvent,
  };
}

/** The state of the stored snapshot at exactly `offset`, or why there is none to compare with. */
async function storedStateAt(
  open: (() => Promise<SnapshotStore | null>) | null,
  offset: number,
): Promise<ClusterState | string> {
  const store = open ? await open() : null;
  if (!store) return 'no snapshot store';
  try {
    const meta = (await store.list()).find((m) => m.offset === offset && m.format === SNAPSHOT_FORMAT);
    if (!meta) return `no stored snapshot at offset ${offset} (only the newest few are kept)`;
    // Not verified against its own hash: a snapshot of a diverged state is exactly what is wanted.
    return (await decodeSnapshot(await store.read(meta), { verify: false })).state;
  } catch (error) {
    return `the stored snapshot at offset ${offset} cannot be read: ${(error as Error).message}`;
  }
}

/**
 * Replays [0, last matching offset] in bulk, then (last matching offset, offset] one event at a
 * time, and returns the first event that changed one of `differences`' entries.
 */
async function firstEventTouching(
  log: EventLog,
  lastMatchingOffset: number,
  offset: number,
  differences: readonly EntryDifference[],
  onProgress?: (progress: VerifyProgress) => void,
): Promise<Divergence['firstDivergentEvent']> {
  if (differences.length === 0) return null;
  const runner = new ProjectionRunner();
  let prints: string[] | null = null;
  for await (const batch of log.read({ from: 0, to: offset + 1 })) {
    for (const record of batch) {
      const event = decodeRecord(record);
      if (event.offset > lastMatchingOffset) prints ??= differences.map((d) => entryFingerprint(runner.state, d));
      runner.apply([event], { owned: true });
      if (!prints) continue;
      for (let i = 0; i < differences.length; i++) {
        const now = entryFingerprint(runner.state, differences[i]);
        if (now !== prints[i]) {
          const { field, key } = differences[i];
          return { offset: event.offset, type: event.type, id: event.id, entry: { field, key } };
        }
      }
    }
    if (batch.length > 0) onProgress?.({ pass: 'bisect', offset: batch[batch.length - 1].offset + 1, end: offset + 1 });
  }
  return null;
}
