import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * The domain's purity (no clock, randomness, timers or I/O: the libs/domain block of
 * eslint.config.mjs) as a check of `npm test`, not a convention: every source file of libs/domain
 * passes the rules, and the rules do catch each kind of leak (so this test can fail). ESLint runs in
 * a child process (testing/lint-domain.mjs): jest's VM cannot load the config's ES module.
 */
const LEAKS: [what: string, code: string, rule: string][] = [
  ['reading the clock', 'export const now = Date.now();', 'no-restricted-properties'],
  ['a Date of now', 'export const today = new Date();', 'no-restricted-syntax'],
  ['Math.random', 'export const coin = Math.random() < 0.5;', 'no-restricted-properties'],
  ['a timer', 'setTimeout(() => undefined, 10);', 'no-restricted-globals'],
  ['the environment', 'export const port = process.env.PORT;', 'no-restricted-globals'],
  [
    'the file system',
    "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;",
    'no-restricted-imports',
  ],
  ['random ids', "import { randomUUID } from 'node:crypto';\nexport const id = randomUUID();", 'no-restricted-imports'],
  [
    'the system clock',
    "import { SystemClock } from '@cairn/common';\nexport const c = new SystemClock();",
    'no-restricted-imports',
  ],
  [
    'the event log',
    "import { FileEventLog } from '@cairn/eventlog';\nexport const l = FileEventLog;",
    'no-restricted-imports',
  ],
  ['Kafka', "import { Kafka } from 'kafkajs';\nexport const k = Kafka;", 'no-restricted-imports'],
];
const ALLOWED = [
  "import { createHash } from 'node:crypto';",
  "import type { LogRecord } from '@cairn/eventlog';",
  "import { isoTime } from '@cairn/common';",
  "export const h = (r: LogRecord, now: number) => createHash('sha256').update(isoTime(now)).update(r.value).digest('hex');",
  'export const epoch = new Date(0).toISOString();',
].join('\n');

interface LintReport {
  readonly files: number;
  readonly leaks: string[];
  readonly snippets: string[][];
}

let report: LintReport;

beforeAll(() => {
  const out = execFileSync(process.execPath, [resolve(__dirname, 'testing/lint-domain.mjs')], {
    input: JSON.stringify({ snippets: [...LEAKS.map(([, code]) => code), ALLOWED] }),
    encoding: 'utf8',
    timeout: 60_000,
  });
  report = JSON.parse(out) as LintReport;
}, 90_000);

describe('libs/domain stays pure', () => {
  it('has no clock, randomness, timer or I/O in any of its source files', () => {
    expect(report.files).toBeGreaterThan(50);
    expect(report.leaks).toEqual([]);
  });

  it.each(LEAKS.map(([what, , rule], index) => [what, rule, index] as const))('refuses %s', (_what, rule, index) => {
    expect(report.snippets[index].some((ruleId) => ruleId.endsWith(rule))).toBe(true);
  });

  it('allows what the domain needs: hashing, a given time, types of the log', () => {
    expect(report.snippets[LEAKS.length]).toEqual([]);
  });
});
