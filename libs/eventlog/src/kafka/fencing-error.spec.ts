import {
  KafkaJSConnectionError,
  KafkaJSError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
} from 'kafkajs';
import { findFencingError, isFencingError } from './fencing-error';

/**
 * A broker error as kafkajs builds it (src/protocol/error.js, createErrorFromCode): its table
 * entry passed to KafkaJSProtocolError; an unknown code becomes KAFKAJS_UNKNOWN_ERROR_CODE (-99).
 */
const KNOWN: Record<number, { type: string; retriable: boolean }> = {
  47: { type: 'INVALID_PRODUCER_EPOCH', retriable: false },
  48: { type: 'INVALID_TXN_STATE', retriable: false },
  51: { type: 'CONCURRENT_TRANSACTIONS', retriable: true },
  52: { type: 'TRANSACTION_COORDINATOR_FENCED', retriable: false },
};
const ProtocolError = KafkaJSProtocolError as unknown as new (entry: object) => KafkaJSProtocolError;
function createErrorFromCode(code: number): KafkaJSProtocolError {
  const known = KNOWN[code];
  return known
    ? new ProtocolError({ ...known, code, message: `broker error ${known.type}` })
    : new ProtocolError({
        type: 'KAFKAJS_UNKNOWN_ERROR_CODE',
        code: -99,
        retriable: false,
        message: `Unknown error code ${code}`,
      });
}

// The typings omit the `cause` option the JavaScript constructor takes.
const NonRetriable = KafkaJSNonRetriableError as unknown as new (e: Error, meta: { cause: unknown }) => Error;
/** What kafkajs's retrier does to a non-retriable error (src/retry/index.js). */
const bailed = (e: Error) => new NonRetriable(e, { cause: (e as { cause?: Error }).cause ?? e });
/** What kafkajs's retrier does when retries run out. */
const exhausted = (e: Error) => new KafkaJSNumberOfRetriesExceeded(e, { retryCount: 30, retryTime: 200 });

describe('isFencingError', () => {
  const cases: { name: string; error: unknown; fenced: boolean }[] = [
    { name: 'a bare INVALID_PRODUCER_EPOCH (47)', error: createErrorFromCode(47), fenced: true },
    { name: 'a bare TRANSACTION_COORDINATOR_FENCED (52)', error: createErrorFromCode(52), fenced: true },
    { name: 'PRODUCER_FENCED (90), unknown to kafkajs 2.2.4', error: createErrorFromCode(90), fenced: true },
    { name: 'epoch error wrapped once by the retrier', error: bailed(createErrorFromCode(47)), fenced: true },
    { name: 'epoch error wrapped twice', error: bailed(bailed(createErrorFromCode(47))), fenced: true },
    { name: 'epoch error under retries exceeded', error: exhausted(bailed(createErrorFromCode(47))), fenced: true },
    {
      name: 'epoch error inside an aggregate',
      error: Object.assign(new Error('several'), { errors: [new Error('other'), createErrorFromCode(47)] }),
      fenced: true,
    },
    { name: 'CONCURRENT_TRANSACTIONS (51)', error: bailed(createErrorFromCode(51)), fenced: false },
    { name: 'INVALID_TXN_STATE (48)', error: bailed(createErrorFromCode(48)), fenced: false },
    { name: 'an unknown code other than 90', error: createErrorFromCode(9090), fenced: false },
    { name: 'a request timeout', error: exhausted(new KafkaJSError('Request timed out')), fenced: false },
    {
      name: 'a connection error with a string code',
      error: new KafkaJSConnectionError('Connection error: ECONNREFUSED', { code: 'ECONNREFUSED' }),
      fenced: false,
    },
    { name: 'a plain Error', error: new Error('boom'), fenced: false },
    { name: 'not an error at all', error: 'INVALID_PRODUCER_EPOCH', fenced: false },
    { name: 'null', error: null, fenced: false },
  ];

  it.each(cases)('$name → fenced: $fenced', ({ error, fenced }) => {
    expect(isFencingError(error)).toBe(fenced);
  });

  it('returns the protocol error it found, with its type and code', () => {
    const found = findFencingError(exhausted(bailed(createErrorFromCode(47))));
    expect(found).toMatchObject({ type: 'INVALID_PRODUCER_EPOCH', code: 47 });
  });

  it('terminates on a cyclic cause chain', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    const b = new Error('b') as Error & { cause?: unknown };
    a.cause = b;
    b.cause = a;
    expect(isFencingError(a)).toBe(false);
  });
});
