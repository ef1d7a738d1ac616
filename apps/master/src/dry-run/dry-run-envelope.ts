import type { IdSource } from '@cairn/common';
import type { Envelope } from '@cairn/domain';
import { encodeChecked, EventValidationError } from '@cairn/events';
import { EventStamper, invalidInput } from '../core/event-stamper';

/**
 * The sequencer's envelope (core/event-stamper.ts), for events that are never appended: ids from
 * the dry run's own source, `at` stamped as the sequencer would, causes from the draft, and the
 * codec's check, which turns an invalid event into the 422 the real write answers.
 */
export function dryRunEnvelope(ids: IdSource, lastEventAt: string | null): Envelope {
  const stamper = new EventStamper(ids, lastEventAt);
  return (d, command, decided) => {
    try {
      return encodeChecked(stamper.envelope(d, command, decided)).event;
    } catch (error) {
      if (error instanceof EventValidationError) throw invalidInput(error);
      throw error;
    }
  };
}
