import { EventLogError } from '../errors';

/**
 * The append did not happen: its transaction failed before the commit was sent and was aborted
 * (or will be, by the coordinator or by our next producer's InitProducerId). Nothing of the batch
 * is or will become visible, so the caller may decide again and retry.
 */
export class KafkaAppendFailedError extends EventLogError {}
