/**
 * Recognises "this producer has been fenced" in whatever kafkajs throws.
 *
 * kafkajs wraps broker errors: a KafkaJSProtocolError (with `type` and `code`) ends up as the
 * `.cause` of a KafkaJSNonRetriableError or KafkaJSNumberOfRetriesExceeded, sometimes nested
 * more than once; aggregate errors keep theirs in `.errors`. So the whole chain is searched.
 *
 * Codes (Kafka protocol):
 * - 47 INVALID_PRODUCER_EPOCH: what kafkajs 2.2.4 sees when a newer producer with our
 *   transactional id ran InitProducerId (4.x brokers map PRODUCER_FENCED to 47 for the old
 *   request versions kafkajs sends), and also when the coordinator aborted our own transaction
 *   for timing out (KIP-588). Either way this producer may no longer write.
 * - 90 PRODUCER_FENCED: newer request versions; kafkajs has no entry for it, so it arrives as
 *   KAFKAJS_UNKNOWN_ERROR_CODE with "Unknown error code 90" in the message.
 * - 52 TRANSACTION_COORDINATOR_FENCED.
 */
export const FENCING_ERROR_TYPES: ReadonlySet<string> = new Set([
  'INVALID_PRODUCER_EPOCH',
  'PRODUCER_FENCED',
  'TRANSACTION_COORDINATOR_FENCED',
]);
export const FENCING_ERROR_CODES: ReadonlySet<number> = new Set([47, 90, 52]);

const UNKNOWN_CODE_TYPE = 'KAFKAJS_UNKNOWN_ERROR_CODE';
const UNKNOWN_FENCED_MESSAGE = /\bunknown error code 90\b/i;
/** Guards against cyclic or absurdly deep cause chains. */
const MAX_CAUSE_DEPTH = 32;

interface ErrorLike {
  type?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/** The first fencing error in `error`'s cause chain (itself included), or null. */
export function findFencingError(error: unknown): ErrorLike | null {
  const seen = new Set<unknown>();
  const pending: { value: unknown; depth: number }[] = [{ value: error, depth: 0 }];
  while (pending.length > 0) {
    const { value, depth } = pending.shift()!;
    if (value === null || typeof value !== 'object' || seen.has(value) || depth > MAX_CAUSE_DEPTH) continue;
    seen.add(value);
    const e = value as ErrorLike;
    if (isFencingItself(e)) return e;
    pending.push({ value: e.cause, depth: depth + 1 });
    if (Array.isArray(e.errors)) for (const inner of e.errors) pending.push({ value: inner, depth: depth + 1 });
  }
  return null;
}

export function isFencingError(error: unknown): boolean {
  return findFencingError(error) !== null;
}

function isFencingItself(e: ErrorLike): boolean {
  if (typeof e.type === 'string' && FENCING_ERROR_TYPES.has(e.type)) return true;
  // Only protocol errors carry numeric codes; node's network errors use strings ('ECONNREFUSED').
  if (typeof e.code === 'number' && FENCING_ERROR_CODES.has(e.code)) return true;
  return e.type === UNKNOWN_CODE_TYPE && typeof e.message === 'string' && UNKNOWN_FENCED_MESSAGE.test(e.message);
}
