'use strict';
// `npm run bench`: runs the compiled benchmarks (dist/bench/run.js), so what is measured is the
// production build. Builds first (`npm run build`) when dist is missing or older than a source
// file, so a stale dist is never measured. Plain JavaScript: it must run before any build.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const ENTRY = path.join(ROOT, 'dist', 'bench', 'run.js');
const SOURCE_DIRS = ['apps', 'libs', 'bench'].map((dir) => path.join(ROOT, dir));

function newestSourceMs(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'results' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMs(full));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts'))
      newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

function buildIfStale() {
  const builtMs = fs.existsSync(ENTRY) ? fs.statSync(ENTRY).mtimeMs : 0;
  const sourceMs = Math.max(...SOURCE_DIRS.filter((dir) => fs.existsSync(dir)).map(newestSourceMs));
  if (builtMs >= sourceMs) return;
  process.stderr.write(
    `[bench] ${builtMs ? 'dist is older than the sources' : 'no build yet'}: running npm run build\n`,
  );
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', process.stderr, process.stderr] });
  if (build.status !== 0) {
    process.stderr.write(
      `[bench] npm run build failed (exit ${build.status ?? build.signal}); fix the build, then run again\n`,
    );
    process.exit(1);
  }
}

buildIfStale();
require(ENTRY)
  .main(process.argv.slice(2))
  .then((code) => {
    // kafkajs may leave sockets or timers behind; the run is over, so do not wait for them.
    process.stdout.write('', () => process.exit(code));
  });
