import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const PACKAGE_NAME = 'cairn';
/** apps/cli/src (jest) or dist/apps/cli/src (node) is at most this many levels below the repo root. */
const PARENT_LEVELS_MAX = 6;

/** The repo's package.json version: found by walking up, since dist/ has no copy of it. */
export function cliVersion(): string {
  for (let dir = __dirname, level = 0; level <= PARENT_LEVELS_MAX; dir = dirname(dir), level++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === PACKAGE_NAME && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // no package.json at this level: keep walking up
    }
  }
  return 'unknown';
}
