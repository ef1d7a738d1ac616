import { z } from 'zod';

/** A writer took over the log. Written first by every writer, before it accepts commands. */
export const leaderElectedV1 = z.object({
  instance: z.string().min(1),
  epoch: z.number().int().min(0),
});

/**
 * The leader stored a snapshot of the state as it was just after `offset`; `hash` is that
 * state's hash (a full replay to `offset` gives the same). Written only after the snapshot is
 * durable, and only when the state changed since the last one.
 */
export const snapshotWrittenV1 = z.object({
  offset: z.number().int().min(0),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  /** The snapshot format (an unknown format is skipped on load: the master replays instead). */
  format: z.number().int().min(1),
  /** Compressed size, for operators watching snapshot growth. */
  bytes: z.number().int().min(0),
});

/**
 * The operator raised the cluster's event format level: every master reads events of `version`
 * (libs/events/src/format-level.ts), so the leader may now write them. Never lowered.
 */
export const clusterVersionRaisedV1 = z.object({
  version: z.number().int().min(2),
  previous: z.number().int().min(1),
  /** The leader that wrote it (`host:port`); its own format level was at least `version`. */
  leader: z.string().min(1),
});
