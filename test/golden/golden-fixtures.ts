import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Where golden logs live and what each one promises. A golden log is the file log one release
 * wrote (test/fixtures/golden/<release>/log/, segment files only) with the state every later
 * release must replay it to (expected.json). docs/events.md, "Golden logs".
 */
export const GOLDEN_ROOT = join(sourceRoot(__dirname), 'test', 'fixtures', 'golden');
export const EXPECTED_FILE = 'expected.json';
export const LOG_DIR = 'log';

export interface GoldenExpectation {
  /** The release (package.json version) that wrote the log. */
  readonly release: string;
  /** The event format level that release read and wrote (EVENT_FORMAT_LEVEL). */
  readonly formatLevel: number;
  /** Offset of the last event (`cairn replay`'s `offset`). */
  readonly offset: number;
  /** How many events the log holds. */
  readonly events: number;
  /** The state hash after replaying the whole log (libs/domain/src/state-hash.ts). */
  readonly stateHash: string;
  /** How many events of each type the log holds (`Type` for the current version, `Type@v` for older ones). */
  readonly eventTypes: Readonly<Record<string, number>>;
}

/** Every directory under the golden root, oldest release first (by name: semver sorts within a major). */
export function goldenReleases(root = GOLDEN_ROOT): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort(compareReleases);
}

export function readExpectation(releaseDir: string): GoldenExpectation {
  return JSON.parse(readFileSync(join(releaseDir, EXPECTED_FILE), 'utf8')) as GoldenExpectation;
}

/** Renders expected.json: 2-space JSON, event types sorted, trailing newline (stable bytes). */
export function renderExpectation(expectation: GoldenExpectation): string {
  const eventTypes = Object.fromEntries(
    Object.entries(expectation.eventTypes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  return `${JSON.stringify({ ...expectation, eventTypes }, null, 2)}\n`;
}

/** The key a (type, version) is counted under: the bare type for the current version. */
export function eventTypeKey(type: string, v: number, current: number): string {
  return v === current ? type : `${type}@${v}`;
}

function compareReleases(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0 && !Number.isNaN(d)) return d;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The repository's root, from here or from the compiled copy in dist/ (`npm run golden:write`):
 * the directory with tsconfig.build.json. (dist/ holds a package.json of its own, so "the first
 * package.json above" would be dist/.)
 */
function sourceRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'tsconfig.build.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no tsconfig.build.json above ${start}`);
  }
}
