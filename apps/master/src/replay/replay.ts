import type { CairnConfig } from '../config/cairn-config';
import { readEvents } from '../core/event-stream';
import { ProjectionRunner } from '../core/projection-runner';
import { createEventLog } from '../log/create-event-log';

export interface ReplayResult {
  /** The state hash after folding, comparable with a live master's /v1/state/hash. */
  readonly hash: string;
  /** Offset of the last event folded (-1 for an empty log). */
  readonly offset: number;
  readonly events: number;
}

/**
 * A fresh replay of the configured log through the same projection runner a master uses,
 * read-only: it takes no lock and fences nobody, so it can run beside a live master.
 */
export async function replayLog(config: CairnConfig, options: { to?: number } = {}): Promise<ReplayResult> {
  const log = createEventLog(config, { writer: false, instance: `replay/${process.pid}` });
  await log.open();
  try {
    const projection = new ProjectionRunner();
    const to = options.to === undefined ? undefined : options.to + 1;
    for await (const events of readEvents(log, { from: 0, to })) projection.apply(events, { owned: true });
    return { hash: projection.hash(), offset: projection.appliedOffset, events: projection.eventsApplied };
  } finally {
    await log.close();
  }
}
