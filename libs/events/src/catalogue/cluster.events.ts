import { z } from 'zod';

/** A writer took over the log. Written first by every writer, before it accepts commands. */
export const leaderElectedV1 = z.object({
  instance: z.string().min(1),
  epoch: z.number().int().min(0),
});
