import type { IEvent } from '@nestjs/cqrs';
import type { CairnEvent, RecordedEvent } from '@cairn/events';

/**
 * Published on Nest's EventBus after an event is durable and applied: for side effects only
 * (later: Marathon's /v2/events stream, agent commands). State never changes here.
 */
export class EventApplied implements IEvent {
  constructor(readonly event: RecordedEvent<CairnEvent>) {}
}
