import type { IEvent } from '@nestjs/cqrs';
import type { CairnEvent, RecordedEvent } from '@cairn/events';

/**
 * Published on Nest's EventBus once per batch, after its events are durable and applied: for the
 * leader's side effects only (agent commands, scheduler wake-ups). State never changes here.
 * Marathon's /v2/events does not use it: it reads the log, so it resumes by offset and works on any
 * master. One publish per batch, not per event: the bus's per-event subscription work was 8% of
 * the master's CPU in a burst of launches.
 */
export class EventsApplied implements IEvent {
  constructor(readonly events: readonly RecordedEvent<CairnEvent>[]) {}
}
