import type { MarathonEvent } from './marathon-event';

/**
 * A frame's id: the log offset of the event it was rendered from, with `.<n>` (n from 0) when
 * that event renders to several Marathon events. n counts before any event_type filter, so an
 * id names the same Marathon event on every stream.
 */
export interface FrameId {
  readonly offset: number;
  /** null: the offset's only event. */
  readonly index: number | null;
}

export function frameIdText(id: FrameId): string {
  return id.index === null ? String(id.offset) : `${id.offset}.${id.index}`;
}

/** An SSE frame; `id` null for events that are not in the log (the stream's own attached event). */
export function sseFrame(id: FrameId | null, event: MarathonEvent): string {
  // JSON.stringify never emits a raw newline, so `data:` is one line (marathon-python reads one).
  const data = JSON.stringify(event);
  return `${id ? `id: ${frameIdText(id)}\n` : ''}event: ${event.eventType}\ndata: ${data}\n\n`;
}

/** Where a resumed stream starts: `from` on, skipping events of offset `from` with an index <= `skipThrough`. */
export interface ResumePoint {
  readonly from: number;
  readonly skipThrough: number | null;
}

const FRAME_ID = /^(\d+)(?:\.(\d+))?$/;

/** `Last-Event-ID: <offset>[.<n>]` -> where to go on; null when absent; throws on anything else. */
export function parseLastEventId(raw: string | undefined): ResumePoint | null {
  if (raw === undefined || raw.trim() === '') return null;
  const match = FRAME_ID.exec(raw.trim());
  const offset = match ? Number(match[1]) : NaN;
  const index = match?.[2] === undefined ? null : Number(match[2]);
  if (!match || !Number.isSafeInteger(offset) || (index !== null && !Number.isSafeInteger(index))) {
    throw new Error(`Last-Event-ID must be '<offset>' or '<offset>.<n>' as this stream sends them, got '${raw}'`);
  }
  return index === null ? { from: offset + 1, skipThrough: null } : { from: offset, skipThrough: index };
}

/** True when the client accepts `text/event-stream` (Marathon answers 405 otherwise). */
export function acceptsEventStream(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((part) => part.split(';')[0].trim().toLowerCase() === 'text/event-stream');
}

/** True when `Accept-Encoding` names gzip with a non-zero q. */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  return (acceptEncoding ?? '').split(',').some((part) => {
    const [coding, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    return coding === 'gzip' && (q === undefined || Number(q.slice(2)) > 0);
  });
}
