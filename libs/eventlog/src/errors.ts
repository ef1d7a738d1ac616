/** Typed errors that carry their context, so operators read what happened and where. */
export class EventLogError extends Error {
  constructor(
    message: string,
    readonly context: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A frame that fails its CRC and is followed by a valid one: never skipped, the open fails. */
export class CorruptLogError extends EventLogError {
  /** `offset`: the offset the damaged frame was expected to start at (what `cairn verify` names). */
  constructor(readonly details: { segment: string; position: number; reason: string; offset?: number }) {
    super(
      `corrupt event log: segment ${details.segment} at byte ${details.position}: ${details.reason}; ` +
        'a valid frame follows the damaged one, so this is not a torn tail and Cairn will not skip it',
      details,
    );
  }
}

/** Another live process holds the writer lock on this directory. */
export class LogLockedError extends EventLogError {
  constructor(readonly details: { dir: string; pid: number; startedAt: string }) {
    super(
      `event log ${details.dir} is locked by live process ${details.pid} (started ${details.startedAt}); ` +
        'only one writer may use a log directory',
      details,
    );
  }
}

/** Our producer was fenced by a newer writer (Kafka INVALID_PRODUCER_EPOCH / PRODUCER_FENCED). */
export class WriterFencedError extends EventLogError {
  constructor(readonly details: { cluster: string; transactionalId: string; cause?: string }) {
    super(
      `this writer was fenced: another writer for cluster '${details.cluster}' ` +
        `(transactional id '${details.transactionalId}') has taken over; this process must stop writing`,
      details,
    );
  }
}

/** A write or fsync failed: the writer is dead and must be reopened with recovery. */
export class WriterFailedError extends EventLogError {}

/** The append may or may not have committed (e.g. a Kafka commit timeout). Read the log to know. */
export class AppendOutcomeUnknownError extends EventLogError {}

/** An existing Kafka topic or a directory whose configuration Cairn refuses to use. */
export class LogConfigurationError extends EventLogError {}

/** A batch whose frame would exceed MAX_FRAME_BYTES. Nothing was written. */
export class BatchTooLargeError extends EventLogError {
  constructor(readonly details: { frameBytes: number; maxFrameBytes: number; records: number }) {
    super(
      `batch of ${details.records} records needs a ${details.frameBytes}-byte frame, above the ` +
        `${details.maxFrameBytes}-byte bound; split it`,
      details,
    );
  }
}

/** append() on a log opened with readOnly: true. */
export class LogReadOnlyError extends EventLogError {
  constructor(readonly details: { backend: string; location: string }) {
    super(`event log ${details.location} (${details.backend}) was opened read-only`, details);
  }
}

/** A call on a log that is not open (never opened, or closed). */
export class LogNotOpenError extends EventLogError {
  constructor(readonly details: { backend: string; location: string; operation: string }) {
    super(`${details.operation} on event log ${details.location} (${details.backend}), which is not open`, details);
  }
}
