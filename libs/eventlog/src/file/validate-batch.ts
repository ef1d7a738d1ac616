import type { AppendRecord } from '../event-log';

/**
 * Rejects records the log cannot store faithfully, before any offset is assigned: a programming
 * error in the caller, so a TypeError, and nothing of the batch is written.
 */
export function validateBatch(records: readonly AppendRecord[]): void {
  if (!Array.isArray(records)) throw new TypeError('append expects an array of records');
  records.forEach((record, i) => {
    if (typeof record?.key !== 'string') throw new TypeError(`record ${i}: key must be a string`);
    if (!Buffer.isBuffer(record.value)) throw new TypeError(`record ${i}: value must be a Buffer`);
    if (record.headers !== undefined) {
      for (const [name, value] of Object.entries(record.headers)) {
        if (typeof value !== 'string') throw new TypeError(`record ${i}: header '${name}' must be a string`);
      }
    }
  });
}
