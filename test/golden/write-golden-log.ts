import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileEventLog } from '@cairn/eventlog/file/file-event-log';
import type { LogRecord } from '@cairn/eventlog';
import { catalogue, EVENT_FORMAT_LEVEL, isEventType } from '@cairn/events';
import { loadConfig } from '../../apps/master/src/config/cairn-config';
import { replayLog } from '../../apps/master/src/replay/replay';
import { CAIRN_VERSION } from '../../apps/master/src/version';
import {
  EXPECTED_FILE,
  eventTypeKey,
  GOLDEN_ROOT,
  LOG_DIR,
  renderExpectation,
  type GoldenExpectation,
} from './golden-fixtures';
import { runGoldenScenario } from './golden-scenario';

/**
 * `npm run golden:write`: runs the golden scenario with this release and writes its log as
 * test/fixtures/golden/<package.json version>/log/ (the file log's segment files) plus
 * expected.json, replacing that release's directory and nothing else. Older releases' golden
 * logs are never touched: they are what those releases wrote. docs/events.md, "Golden logs".
 */
export async function writeGoldenLog(root = GOLDEN_ROOT): Promise<{ dir: string; expectation: GoldenExpectation }> {
  const run = await runGoldenScenario();
  const dir = join(root, CAIRN_VERSION);
  rmSync(dir, { recursive: true, force: true });
  const logDir = join(dir, LOG_DIR);
  await copyToFileLog(run.store.batches(), logDir);
  for (const name of readdirSync(logDir)) if (!name.endsWith('.log')) rmSync(join(logDir, name), { force: true });

  // The expectation is what `cairn replay` says of the files just written, checked against the
  // live leader's state: a copy that lost or reordered a record cannot be committed.
  const replay = await replayLog(loadConfig({}, { log: 'file', dataDir: dir }));
  if (replay.hash !== run.liveHash || replay.offset !== run.liveOffset) {
    throw new Error(
      `the file log replays to ${replay.hash} at ${replay.offset}, but the leader ended at ${run.liveHash} at ${run.liveOffset}`,
    );
  }
  const expectation: GoldenExpectation = {
    release: CAIRN_VERSION,
    formatLevel: EVENT_FORMAT_LEVEL,
    offset: replay.offset,
    events: replay.events,
    stateHash: replay.hash,
    eventTypes: countEventTypes(run.store.records),
  };
  writeFileSync(join(dir, EXPECTED_FILE), renderExpectation(expectation));
  return { dir, expectation };
}

/** Appends the records, batch by batch (one frame each), to a new file log in `dir`. */
async function copyToFileLog(batches: readonly (readonly LogRecord[])[], dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const log = new FileEventLog({ dir });
  await log.open();
  try {
    for (const batch of batches) {
      const { offsets } = await log.append(batch.map(({ key, value, headers }) => ({ key, value, headers })));
      if (offsets[0] !== batch[0].offset) {
        throw new Error(`offset ${batch[0].offset} was copied to offset ${offsets[0]}: the memory log had gaps`);
      }
    }
  } finally {
    await log.close();
  }
}

/** Events per type as written (raw, not upcast): `Type` at its current version, `Type@v` otherwise. */
export function countEventTypes(records: readonly { readonly value: Buffer }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const record of records) {
    const { type, v } = JSON.parse(record.value.toString('utf8')) as { type: string; v: number };
    const key = isEventType(type) ? eventTypeKey(type, v, catalogue[type].current) : `${type}@${v}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

if (require.main === module) {
  writeGoldenLog()
    .then(({ dir, expectation }) => {
      const types = Object.keys(expectation.eventTypes).length;
      process.stdout.write(
        `wrote ${dir}: ${expectation.events} events of ${types} types, offset ${expectation.offset}, state hash ${expectation.stateHash}\n`,
      );
      process.exit(0);
    })
    .catch((error: Error) => {
      process.stderr.write(`golden:write failed: ${error.stack ?? error.message}\n`);
      process.exit(1);
    });
}
