import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The repository root, found by walking up to Cairn's package.json. The harness runs from
 * test/harness under jest and from dist/test/harness when a compiled benchmark imports it, so a
 * fixed number of `..` would be wrong in one of the two.
 */
function findRepoRoot(start: string): string {
  let dir = start;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'cairn') {
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no Cairn package.json above ${start}`);
    dir = parent;
  }
}

export const REPO_ROOT = findRepoRoot(__dirname);

/**
 * The compiled CLI: e2e tests run what users run, so `npm run build` must come first.
 * CAIRN_TEST_CLI points at another build of it (e.g. a private outDir, so a build running in
 * parallel cannot pull dist/ from under a test).
 */
export const CLI_MAIN = process.env.CAIRN_TEST_CLI || join(REPO_ROOT, 'dist', 'apps', 'cli', 'src', 'main.js');

export const FIXTURES_DIR = join(REPO_ROOT, 'test', 'fixtures');

export function requireBuiltCli(): string {
  if (!existsSync(CLI_MAIN)) {
    throw new Error(`${CLI_MAIN} does not exist: run \`npm run build\` before the e2e tests`);
  }
  return CLI_MAIN;
}
