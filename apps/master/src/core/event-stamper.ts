import type { IdSource } from '@cairn/common';
import { CommandRejected, envelopeCause, type Command, type EventDraft } from '@cairn/domain';
import { CairnEvent, catalogue, EventValidationError } from '@cairn/events';

/**
 * Turns a decided draft into the event as written: a new id, the command's actor, the cause
 * decided with the draft, and the time. One for the sequencer and one per dry run, so a dry run
 * shows exactly the envelopes the write would append.
 */
export class EventStamper {
  /** The latest `at` stamped (or found in the log): events are never stamped earlier than it. */
  private lastAtMs: number;

  constructor(
    private readonly ids: IdSource,
    lastEventAt: string | null,
  ) {
    this.lastAtMs = lastEventAt === null ? Number.NEGATIVE_INFINITY : Date.parse(lastEventAt);
  }

  /**
   * The envelope of a draft. Its cause was decided with it (see Cause in libs/domain): an event in
   * the log, an earlier draft of the same decision (`decided` maps it to its event), or none (a
   * chain starts); without one, the command caused it.
   */
  envelope(d: EventDraft, command: Command, decided: ReadonlyMap<EventDraft, CairnEvent>): CairnEvent {
    const { meta } = command;
    const { causationId, correlationId } = envelopeCause(d, meta, decided);
    return {
      id: this.ids.uuid(),
      type: d.type,
      v: catalogue[d.type].current,
      at: new Date(this.stampAt(meta.now)).toISOString(),
      actor: meta.actor,
      correlationId,
      causationId,
      data: d.data,
    } as CairnEvent;
  }

  /**
   * Event times come from each leader's clock, and clocks differ (a new leader's may be behind the
   * last one's): an event is stamped `max(now, the previous event's at)`, so `at` never decreases
   * in offset order and "the state at 14:02" is the last offset stamped at or before 14:02. A failed
   * batch may leave this ahead of the log; that only keeps the next stamps monotone. The command's
   * own time (an app's `version`, a deadline) stays `meta.now`: only the envelope is clamped.
   */
  private stampAt(now: number): number {
    if (now > this.lastAtMs) this.lastAtMs = now;
    return this.lastAtMs;
  }
}

/** An event that fails its schema is the request's fault: Marathon's 422, with the failing paths. */
export function invalidInput(error: EventValidationError): CommandRejected {
  const issues = (error.details.issues as { path: (string | number)[]; message: string }[] | undefined) ?? [];
  const details = issues.map((issue) => ({
    path: '/' + issue.path.filter((p) => p !== 'data' && p !== 'app').join('/'),
    errors: [issue.message],
  }));
  return new CommandRejected('invalid', 'Object is not valid', details.length ? details : undefined);
}
