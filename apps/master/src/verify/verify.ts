import type { SnapshotStore } from '@cairn/eventlog';
import type { CairnConfig } from '../config/cairn-config';
import { createEventLog, createSnapshotStore } from '../log/create-event-log';
import { readFailure } from './integrity-pass';
import { emptyReport, verifyEventLog } from './verify-log';
import type { VerifyProgress, VerifyReport } from './verify-report';

export type { VerifyReport, VerifyProgress } from './verify-report';

export interface VerifyConfiguredLogOptions {
  /** The live leader's GET /v1/state/hash, to compare at its offset. */
  readonly leader?: { readonly offset: number; readonly hash: string };
  readonly onProgress?: (progress: VerifyProgress) => void;
}

/**
 * Verifies the configured log read-only, as `cairn replay` reads it: no lock, no producer, nobody
 * fenced, so it runs beside a live master or on a copy. The snapshot store is opened only to
 * narrow down a hash mismatch.
 */
export async function verifyConfiguredLog(
  config: CairnConfig,
  options: VerifyConfiguredLogOptions = {},
): Promise<VerifyReport> {
  const startedAt = Date.now();
  const instance = `verify/${process.pid}`;
  const describe = config.log === 'kafka' ? `kafka topic ${config.cluster}.events` : `file log in ${config.dataDir}`;
  const log = createEventLog(config, { writer: false, instance });
  let store: SnapshotStore | null = null;
  try {
    try {
      await log.open();
    } catch (error) {
      // The file log checks the last segment's frames when it opens: damage there is found here.
      return emptyReport(describe, readFailure(error), Date.now() - startedAt);
    }
    return await verifyEventLog({
      log,
      describe,
      leader: options.leader,
      onProgress: options.onProgress,
      snapshots: async () => (store ??= createSnapshotStore(config, instance)),
    });
  } finally {
    await log.close().catch(() => undefined);
    await (store as SnapshotStore | null)?.close().catch(() => undefined);
  }
}
