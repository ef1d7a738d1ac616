import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileEventLog } from '@cairn/eventlog/file/file-event-log';
import { catalogue, EVENT_FORMAT_LEVEL, eventTypes } from '@cairn/events';
import { loadConfig } from '../../apps/master/src/config/cairn-config';
import { replayLog } from '../../apps/master/src/replay/replay';
import { CAIRN_VERSION } from '../../apps/master/src/version';
import {
  EXPECTED_FILE,
  eventTypeKey,
  GOLDEN_ROOT,
  goldenReleases,
  LOG_DIR,
  readExpectation,
  type GoldenExpectation,
} from './golden-fixtures';
import { countEventTypes } from './write-golden-log';

/**
 * Every golden log (test/fixtures/golden/<release>/) replays, with this release, to the state its
 * writer recorded: the compatibility promise of docs/events.md, "Golden logs". The replay is
 * `cairn replay`'s own code path (replayLog on the file log), on a copy, so nothing is ever
 * written into a fixture.
 */
const MAX_GOLDEN_LOG_BYTES = 1024 * 1024;
const releases = goldenReleases();

describe('golden logs', () => {
  const seen = new Set<string>();

  it('this release has written its golden log (npm run golden:write)', () => {
    expect(releases).toContain(CAIRN_VERSION);
  });

  describe.each(releases)('release %s', (release) => {
    const dir = join(GOLDEN_ROOT, release);

    it('has its expected.json and a log of segment files only, under 1 MiB', () => {
      expect({ release, expected: existsSync(join(dir, EXPECTED_FILE)) }).toEqual({ release, expected: true });
      const files = readdirSync(join(dir, LOG_DIR));
      expect(files.length).toBeGreaterThan(0);
      expect(files.filter((name) => !/^\d{20}\.log$/.test(name))).toEqual([]);
      const bytes = files.reduce((sum, name) => sum + statSync(join(dir, LOG_DIR, name)).size, 0);
      expect(bytes).toBeLessThan(MAX_GOLDEN_LOG_BYTES);
    });

    it('replays (as cairn replay does) to its recorded offset and state hash, and holds the events it lists', async () => {
      const expected: GoldenExpectation = readExpectation(dir);
      expect(expected.release).toBe(release);
      // A log of a higher format level than this release reads is from the future, not a golden log.
      expect(expected.formatLevel).toBeLessThanOrEqual(EVENT_FORMAT_LEVEL);

      const copy = mkdtempSync(join(tmpdir(), `cairn-golden-${release}-`));
      try {
        cpSync(join(dir, LOG_DIR), join(copy, LOG_DIR), { recursive: true });
        const replay = await replayLog(loadConfig({}, { log: 'file', dataDir: copy }));
        expect({ offset: replay.offset, events: replay.events, stateHash: replay.hash }).toEqual({
          offset: expected.offset,
          events: expected.events,
          stateHash: expected.stateHash,
        });
        const counts = countEventTypes(await readRecords(join(copy, LOG_DIR)));
        expect(counts).toEqual(expected.eventTypes);
        for (const key of Object.keys(counts)) seen.add(key);
      } finally {
        rmSync(copy, { recursive: true, force: true });
      }
    });
  });

  afterAll(() => {
    // Printed, not failed: an old version no release writes any more (AppScaled v1) can only come
    // from a golden log of the release that wrote it, and a type new in this release is covered
    // once its golden log is written.
    const known = eventTypes.flatMap((type) =>
      Object.keys(catalogue[type].versions).map((v) => eventTypeKey(type, Number(v), catalogue[type].current)),
    );
    const missing = known.filter((key) => !seen.has(key));
    if (missing.length > 0) {
      process.stdout.write(
        `golden logs: ${missing.length} of the ${known.length} event types (and old versions) this release ` +
          `reads are in no golden log: ${missing.join(', ')}\n`,
      );
    }
  });
});

async function readRecords(dir: string): Promise<{ value: Buffer }[]> {
  const log = new FileEventLog({ dir, readOnly: true });
  await log.open();
  try {
    const records: { value: Buffer }[] = [];
    for await (const batch of log.read({ from: 0 }))
      for (const r of batch) records.push({ value: Buffer.from(r.value) });
    return records;
  } finally {
    await log.close();
  }
}
