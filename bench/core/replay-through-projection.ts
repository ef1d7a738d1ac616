import type { EventLog } from '@cairn/eventlog';
import { readEvents } from '../../apps/master/src/core/event-stream';
import { ProjectionRunner } from '../../apps/master/src/core/projection-runner';

/**
 * What a starting master does with its log: decode every record (validate, upcast) and fold it
 * through the one projection runner, up to `to` (the end by default). Resolves to the
 * projection, so callers can check it. `subjects`: keep the subject index, as a master does.
 */
export async function replayThroughProjection(
  log: EventLog,
  to?: number,
  options: { subjects?: boolean } = {},
): Promise<ProjectionRunner> {
  const projection = new ProjectionRunner({ subjects: options.subjects });
  for await (const events of readEvents(log, { from: 0, to })) projection.apply(events, { owned: true });
  return projection;
}
