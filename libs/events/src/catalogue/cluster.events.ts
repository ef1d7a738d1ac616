import { z } from 'zod';

/** A writer took over the log. Written first by every writer, before it accepts commands. */
export const leaderElectedV1 = z.object({
  instance: z.string().min(1),
  epoch: z.number().int().min(0),
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
