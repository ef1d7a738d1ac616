import { z } from 'zod';

/**
 * Every event in the log is one envelope. `data` is checked by the schema of its `type` at
 * its version `v` (see catalogue/). The envelope carries who caused the event and why, so an
 * operator can follow a chain from a user's command to every fact it produced.
 */
export const envelopeSchema = z.object({
  /** UUID of this event, unique in the log (re-emission after an unknown outcome is detectable). */
  id: z.string().uuid(),
  /** Permanent type name, past tense: `AppCreated`. */
  type: z.string().min(1),
  /** Schema version of `data` for this type. */
  v: z.number().int().positive(),
  /** When the decision was made (ISO-8601, from the injected clock, carried by the command). */
  at: z.string().datetime({ offset: true }),
  /** Who caused it: a user or token name, an agent id, or `system`. */
  actor: z.string().min(1),
  /** The user command that started the chain. */
  correlationId: z.string().min(1),
  /** The command or event that directly caused this one (null for a chain's first event). */
  causationId: z.string().min(1).nullable(),
  data: z.unknown(),
});

export type EnvelopeFields = Omit<z.infer<typeof envelopeSchema>, 'type' | 'v' | 'data'>;

/** An event as written, before it has an offset. */
export interface EventEnvelope<TType extends string = string, TData = unknown> extends EnvelopeFields {
  readonly type: TType;
  readonly v: number;
  readonly data: TData;
}

/** An event read back from the log, upcast to the current version of its type. */
export type RecordedEvent<E extends EventEnvelope = EventEnvelope> = E & { readonly offset: number };
