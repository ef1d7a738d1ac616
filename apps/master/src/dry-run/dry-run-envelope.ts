import type { IdSource } from '@cairn/common';
import { CommandRejected, envelopeCause, type Command, type Envelope, type EventDraft } from '@cairn/domain';
import { CairnEvent, catalogue, encodeChecked, EventValidationError } from '@cairn/events';

/**
 * The sequencer's envelope (core/sequencer.ts: `envelope`, `stampAt`, `invalidInput`), for events
 * that are never appended: ids from the dry run's own source, `at` = max(now, the last event's
 * at), causes from the draft, and the codec's check, which turns an invalid event into the 422
 * the real write answers. dry-run.spec.ts holds the two to the same events: a change to the
 * sequencer's envelope fails it until it is made here too.
 */
export function dryRunEnvelope(ids: IdSource, lastEventAt: string | null): Envelope {
  let lastAtMs = lastEventAt === null ? Number.NEGATIVE_INFINITY : Date.parse(lastEventAt);
  return (d: EventDraft, command: Command, decided: ReadonlyMap<EventDraft, CairnEvent>): CairnEvent => {
    const { meta } = command;
    const { causationId, correlationId } = envelopeCause(d, meta, decided);
    if (meta.now > lastAtMs) lastAtMs = meta.now;
    const event = {
      id: ids.uuid(),
      type: d.type,
      v: catalogue[d.type].current,
      at: new Date(lastAtMs).toISOString(),
      actor: meta.actor,
      correlationId,
      causationId,
      data: d.data,
    } as CairnEvent;
    try {
      return encodeChecked(event).event;
    } catch (error) {
      if (error instanceof EventValidationError) throw invalidInput(error);
      throw error;
    }
  };
}

function invalidInput(error: EventValidationError): CommandRejected {
  const issues = (error.details.issues as { path: (string | number)[]; message: string }[] | undefined) ?? [];
  const details = issues.map((issue) => ({
    path: '/' + issue.path.filter((p) => p !== 'data' && p !== 'app').join('/'),
    errors: [issue.message],
  }));
  return new CommandRejected('invalid', 'Object is not valid', details.length ? details : undefined);
}
