import type { AppendRecord, LogRecord } from '@cairn/eventlog';
import { envelopeSchema, EventEnvelope, RecordedEvent } from './envelope';
import { CairnEvent, catalogue, EventType, isEventType } from './catalogue';
import { upcastTo } from './upcast';
import { decodeValidator } from './decode-validators';
import { encodeCheck, NOT_VOUCHED } from './encode-check';
import { EVENT_FORMAT_LEVEL } from './format-level';

/** An event that fails its own schema: it never reaches the log, and a record that fails never reaches a projection. */
export class EventValidationError extends Error {
  constructor(
    message: string,
    readonly details: { type?: string; v?: number; offset?: number; issues?: unknown },
  ) {
    super(message);
    this.name = 'EventValidationError';
  }
}

/**
 * A record this release cannot read: a type it does not know, or a version newer than it knows.
 * Written by a newer Cairn (or the log is damaged): never guessed at, never skipped. A master that
 * meets one stops following and never leads (docs/operations.md, "Upgrades").
 */
export class UnknownEventError extends EventValidationError {
  /** The highest event format level this release reads (format-level.ts). */
  readonly readerLevel = EVENT_FORMAT_LEVEL;
  constructor(
    readonly type: string,
    readonly v: number | undefined,
    readonly offset: number,
    /** What this release knows of the type: its current version, or null for an unknown type. */
    readonly knownVersion: number | null,
  ) {
    super(
      `the record at offset ${offset} is ${type}${v === undefined ? '' : ` v${v}`}, ` +
        (knownVersion === null
          ? 'an event type this release does not know'
          : `newer than this release reads (${type} up to v${knownVersion})`) +
        ` (it reads event format level ${EVENT_FORMAT_LEVEL}): the log was written by a newer Cairn. ` +
        'Upgrade this master (docs/operations.md, "Upgrades")',
      { type, v, offset },
    );
    this.name = 'UnknownEventError';
  }
}

/**
 * The one codec between events and log records. It validates on encode (so nothing invalid is
 * written) and on decode (so nothing invalid is applied), and upcasts old versions on decode.
 */
export function encodeEvent(event: CairnEvent): AppendRecord {
  return encodeChecked(event).record;
}

/** Encodes and also returns the event as a reader will decode it (after the schema's parse). */
export function encodeChecked(event: CairnEvent): { record: AppendRecord; event: CairnEvent } {
  // What zod would give back, found without zod when the compiled check vouches for it
  // (encode-check.ts); anything else goes through zod, which strips, fills or refuses it.
  const asZod = checkedFast(event);
  return asZod === NOT_VOUCHED
    ? encodeValid(validate(event, 'encode'), 'parse back')
    : encodeValid(asZod as CairnEvent, 'as read');
}

/** encodeChecked by zod alone, without the fast check: what encodeChecked must always agree with. */
export function encodeCheckedByZod(event: CairnEvent): { record: AppendRecord; event: CairnEvent } {
  return encodeValid(validate(event, 'encode'), 'parse back');
}

function checkedFast(event: CairnEvent): unknown {
  if (!isEventType(event.type)) return NOT_VOUCHED;
  const check = encodeCheck(event.type);
  return check.accepts(event) ? check.asZod(event) : NOT_VOUCHED;
}

/**
 * The record of an event its schema accepted (`checked`: as zod gives it back). The caller gets
 * exactly what a replay will decode: `checked` itself when the fast check vouched that it is
 * already that (`as read`: encode-check.ts), else the record's text parsed back.
 */
function encodeValid(
  checked: CairnEvent,
  given: 'as read' | 'parse back',
): { record: AppendRecord; event: CairnEvent } {
  if (checked.v !== catalogue[checked.type].current) {
    throw new EventValidationError(
      `refusing to write ${checked.type} v${checked.v}: current is v${catalogue[checked.type].current}`,
      {
        type: checked.type,
        v: checked.v,
      },
    );
  }
  const key = (catalogue[checked.type].key as (d: unknown) => string)(checked.data);
  const text = JSON.stringify(checked);
  const value = Buffer.from(text);
  // Otherwise round-trip through JSON. From the text, not the bytes: the same (JSON.stringify
  // escapes lone surrogates, so UTF-8 loses nothing), without decoding them again.
  const asRead = given === 'as read' ? checked : (JSON.parse(text) as CairnEvent);
  return { record: { key, value, headers: cloudEventHeaders(checked) }, event: asRead };
}

export function decodeRecord(record: LogRecord): RecordedEvent<CairnEvent> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(record.value.toString('utf8'));
  } catch (e) {
    throw new EventValidationError(`record at offset ${record.offset} is not JSON: ${(e as Error).message}`, {
      offset: record.offset,
    });
  }
  const head = parsed as { type?: unknown; v?: unknown } | null;
  const type = typeof head === 'object' && head !== null ? head.type : undefined;
  const v = typeof head === 'object' && head !== null ? head.v : undefined;
  const known = typeof type === 'string' && isEventType(type); // once: a replay decodes millions
  // Before any schema: a newer release may have changed more than the type (an envelope field),
  // and the operator must read "upgrade", not "invalid envelope".
  if (typeof type === 'string' && type !== '' && !known) {
    throw new UnknownEventError(type, typeof v === 'number' ? v : undefined, record.offset, null);
  }
  if (known && typeof v === 'number' && v > catalogue[type].current) {
    throw new UnknownEventError(type, v, record.offset, catalogue[type].current);
  }
  if (known && typeof v === 'number') {
    const fast = decodeValidator(type, v);
    if (fast && fast(parsed)) {
      const event = parsed as CairnEvent & { offset: number };
      const current = catalogue[type].current;
      if (v === current) {
        event.offset = record.offset; // parsed is ours: no copy on the replay path
        return event;
      }
      if (v < current) {
        return {
          ...(validate(upcastStep(event, current, record.offset), 'decode', record.offset) as CairnEvent),
          offset: record.offset,
        };
      }
    }
  }
  return decodeSlowly(parsed, record.offset);
}

/** The zod path: only reached by records the fast check refused, to say precisely why. */
function decodeSlowly(parsed: unknown, offset: number): RecordedEvent<CairnEvent> {
  const envelope = envelopeSchema.safeParse(parsed);
  if (!envelope.success) {
    throw new EventValidationError(`record at offset ${offset} is not an event envelope`, {
      offset,
      issues: envelope.error.issues,
    });
  }
  const raw = envelope.data as EventEnvelope;
  if (!isEventType(raw.type)) {
    // Type names are permanent: an unknown type means a newer writer or a damaged log. Stop.
    throw new EventValidationError(`unknown event type '${raw.type}' at offset ${offset}`, { type: raw.type, offset });
  }
  const entry = catalogue[raw.type];
  if (raw.v > entry.current) {
    throw new EventValidationError(
      `${raw.type} v${raw.v} at offset ${offset} is newer than this release understands (v${entry.current})`,
      { type: raw.type, v: raw.v, offset },
    );
  }
  const atVersion = schemaAt(raw.type, raw.v).safeParse(raw.data);
  if (!atVersion.success) {
    throw new EventValidationError(`${raw.type} v${raw.v} at offset ${offset} fails its schema`, {
      type: raw.type,
      v: raw.v,
      offset,
      issues: atVersion.error.issues,
    });
  }
  // zod accepts what the compiled check refused only if they disagree: never apply it silently.
  throw new EventValidationError(`${raw.type} v${raw.v} at offset ${offset} fails its JSON Schema`, {
    type: raw.type,
    v: raw.v,
    offset,
    issues: decodeValidator(raw.type, raw.v)?.errors ?? undefined,
  });
}

function validate<E extends EventEnvelope>(event: E, phase: 'encode' | 'decode', offset?: number): E {
  if (!isEventType(event.type)) {
    throw new EventValidationError(`unknown event type '${event.type}'`, { type: event.type, offset });
  }
  const envelope = envelopeSchema.safeParse(event);
  if (!envelope.success) {
    throw new EventValidationError(`${phase}: ${event.type} has an invalid envelope`, {
      type: event.type,
      offset,
      issues: envelope.error.issues,
    });
  }
  const data = schemaAt(event.type, event.v).safeParse(event.data);
  if (!data.success) {
    throw new EventValidationError(`${phase}: ${event.type} v${event.v} fails its schema`, {
      type: event.type,
      v: event.v,
      offset,
      issues: data.error.issues,
    });
  }
  // Only the envelope's own fields: a RecordedEvent's offset (or any stray field) is not written.
  return { ...(envelope.data as E), data: data.data };
}

function upcastStep(raw: EventEnvelope, target: number, offset: number): EventEnvelope {
  try {
    return upcastTo(raw, target);
  } catch (e) {
    throw new EventValidationError(`${raw.type} v${raw.v} at offset ${offset}: ${(e as Error).message}`, {
      type: raw.type,
      v: raw.v,
      offset,
    });
  }
}

function schemaAt(type: EventType, v: number) {
  const schema = (catalogue[type].versions as Record<number, import('zod').ZodType | undefined>)[v];
  if (!schema) throw new EventValidationError(`${type} has no schema for v${v}`, { type, v });
  return schema;
}

/** CloudEvents binary-mode headers, so generic Kafka consumers know what they hold. */
function cloudEventHeaders(event: EventEnvelope): Record<string, string> {
  return {
    ce_specversion: '1.0',
    ce_id: event.id,
    ce_type: `cairn.${event.type}.v${event.v}`,
    ce_source: 'cairn',
    ce_time: event.at,
    'content-type': 'application/json',
  };
}
