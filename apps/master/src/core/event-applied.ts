import type { IEvent } from '@nestjs/cqrs';
import type { CairnEvent, RecordedEvent } from '@cairn/events';

/**
 * Published on Nest's EventBus after an event is durable and applied: for the leader's side
 * effects only (agent commands, scheduler wake-ups). State never changes here. Marathon's
 * /v2/events does not use it: it reads the log, so it resumes by offset and works on any master.
 */
export class EventApplied implements IEvent {
  constructor(readonly event: RecordedEvent<CairnEvent>) {}
}
