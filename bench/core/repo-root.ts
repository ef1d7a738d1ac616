import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The repository root, found from this file whether it runs from bench/ (jest) or dist/bench/.
 * Marked by tsconfig.json, not package.json: the build copies package.json into dist/.
 */
export function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (existsSync(join(dir, 'tsconfig.json')) && existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the cairn repository root above ${__dirname}`);
    dir = parent;
  }
}
