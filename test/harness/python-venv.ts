import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './repo-paths';

/** The Python conformance client's home: its requirement, its scenario, and its venv (gitignored). */
export const PYTHON_TEST_DIR = join(REPO_ROOT, 'test', 'python');
const REQUIREMENTS = join(PYTHON_TEST_DIR, 'requirements.txt');
const VENV_DIR = join(PYTHON_TEST_DIR, '.venv');
const STAMP = join(VENV_DIR, 'cairn-venv.json');
/** pip downloads from PyPI on the first run; later runs reuse the venv. */
const INSTALL_TIMEOUT_MS = 300_000;

/** An interpreter the venv may be made from, and why it was chosen (for the test's output). */
export interface PythonInterpreter {
  readonly path: string;
  readonly version: string;
  readonly how: string;
}

/**
 * marathon 0.13.0 uses `collections.Iterable`, removed in Python 3.10, so a 3.9 interpreter is
 * preferred: CAIRN_TEST_PYTHON if set, `python3.9` on PATH (a pyenv shim there may exist and
 * still refuse to run, so each candidate is run, not just found), then pyenv's installed 3.9
 * versions. Only when none runs is `python3` used; the scenario script then aliases
 * `collections.Iterable` before importing the client.
 */
export function findPythonInterpreter(): PythonInterpreter {
  const tried: string[] = [];
  const candidates: [string, string][] = [];
  if (process.env.CAIRN_TEST_PYTHON) candidates.push([process.env.CAIRN_TEST_PYTHON, 'CAIRN_TEST_PYTHON']);
  candidates.push(['python3.9', 'python3.9 on PATH']);
  for (const root of new Set([process.env.PYENV_ROOT, join(homedir(), '.pyenv')].filter(Boolean) as string[])) {
    const versions = join(root, 'versions');
    if (!existsSync(versions)) continue;
    for (const name of readdirSync(versions)
      .filter((v) => /^3\.9(\.\d+)?$/.test(v))
      .sort(byVersionDescending)) {
      candidates.push([join(versions, name, 'bin', 'python3.9'), `pyenv version ${name}`]);
    }
  }
  for (const [path, how] of candidates) {
    const version = pythonVersion(path);
    tried.push(`${path} (${how}): ${version ?? 'does not run'}`);
    if (version?.startsWith('3.9')) return { path, version, how };
  }
  const fallback = pythonVersion('python3');
  tried.push(`python3: ${fallback ?? 'does not run'}`);
  if (fallback && /^3\.(\d+)/.test(fallback) && Number(/^3\.(\d+)/.exec(fallback)![1]) >= 6) {
    return { path: 'python3', version: fallback, how: 'python3 (no 3.9 found: collections.Iterable is aliased)' };
  }
  throw new Error(`no Python interpreter for marathon-python 0.13.0; tried:\n  ${tried.join('\n  ')}`);
}

/**
 * The venv with the requirement installed, made once and reused while the requirement and the
 * interpreter stay the same (a stamp file records both). Any failure throws with pip's output:
 * the conformance test must fail, never skip, when its client cannot be installed.
 */
export function marathonPythonVenv(): { python: string; interpreter: PythonInterpreter; reused: boolean } {
  const interpreter = findPythonInterpreter();
  const requirements = readFileSync(REQUIREMENTS, 'utf8');
  const wanted = JSON.stringify({ requirements, interpreter: interpreter.path, version: interpreter.version });
  const python = join(VENV_DIR, 'bin', 'python');
  if (existsSync(STAMP) && readFileSync(STAMP, 'utf8') === wanted && existsSync(python)) {
    return { python, interpreter, reused: true };
  }
  rmSync(VENV_DIR, { recursive: true, force: true });
  run(interpreter.path, ['-m', 'venv', VENV_DIR], 'create the venv');
  run(python, ['-m', 'pip', 'install', '--no-input', '-r', REQUIREMENTS], 'install test/python/requirements.txt');
  run(
    python,
    ['-c', 'import importlib.metadata as m; assert m.version("marathon") == "0.13.0"'],
    'check marathon 0.13.0',
  );
  writeFileSync(STAMP, wanted);
  return { python, interpreter, reused: false };
}

function run(command: string, args: readonly string[], what: string): void {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: INSTALL_TIMEOUT_MS, killSignal: 'SIGKILL' });
  if (result.status !== 0) {
    rmSync(STAMP, { force: true });
    throw new Error(
      `could not ${what}: \`${command} ${args.join(' ')}\` ` +
        `${result.error ? `failed: ${result.error.message}` : `exited ${result.status ?? result.signal}`}\n` +
        `${result.stdout ?? ''}${result.stderr ?? ''}`,
    );
  }
}

function pythonVersion(path: string): string | undefined {
  const result = spawnSync(path, ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

function byVersionDescending(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pb[i] ?? 0) - (pa[i] ?? 0);
  }
  return 0;
}
