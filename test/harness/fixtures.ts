import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Json } from './http-client';
import { FIXTURES_DIR } from './repo-paths';

/** A JSON fixture under test/fixtures, e.g. `apps/nested-web.json`. */
export function loadFixture(relativePath: string): Json {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, relativePath), 'utf8'));
}

/** The `.json` files of a fixture folder, sorted, as `[name, body]` pairs. */
export function loadFixtureDir(relativeDir: string): [string, Json][] {
  return readdirSync(join(FIXTURES_DIR, relativeDir))
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => [name, loadFixture(join(relativeDir, name))]);
}
