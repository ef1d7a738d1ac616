import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './repo-paths';

/**
 * The Python test tools' home: their requirements, their scripts, and their venvs (gitignored):
 * `requirements.txt` (marathon-python, the conformance client) in `.venv`, and
 * `schemathesis-requirements.txt` (the OpenAPI fuzzer) in `.venv-schemathesis`. Each venv is made
 * by `pythonVenv` and reused while its requirements and interpreter stay the same.
 */
export const PYTHON_TEST_DIR = join(REPO_ROOT, 'test', 'python');
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
export function marathonPythonVenv(): PythonVenv {
  return pythonVenv({
    requirements: 'requirements.txt',
    venv: '.venv',
    interpreter: findPythonInterpreter(),
    check: { distribution: 'marathon', version: '0.13.0' },
  });
}

/** The pinned schemathesis version (schemathesis-requirements.txt must say the same). */
export const SCHEMATHESIS_VERSION = '4.32.5';

/** schemathesis (the OpenAPI fuzzer of the openapi-schemathesis e2e test), in its own venv. */
export function schemathesisVenv(): PythonVenv {
  return pythonVenv({
    requirements: 'schemathesis-requirements.txt',
    venv: '.venv-schemathesis',
    interpreter: findPythonAtLeast(3, 11),
    check: { distribution: 'schemathesis', version: SCHEMATHESIS_VERSION },
  });
}

export interface PythonVenv {
  /** The venv's interpreter. */
  readonly python: string;
  /** Its `bin` directory (the tools a requirement installs, `st` for schemathesis). */
  readonly bin: string;
  readonly interpreter: PythonInterpreter;
  readonly reused: boolean;
}

export interface PythonVenvSpec {
  /** A requirements file in test/python. */
  readonly requirements: string;
  /** The venv's directory in test/python (gitignored: `.venv*`). */
  readonly venv: string;
  readonly interpreter: PythonInterpreter;
  /** A distribution that must be installed at exactly this version. */
  readonly check: { readonly distribution: string; readonly version: string };
}

/**
 * A venv with a requirements file installed, made once and reused while the requirements and the
 * interpreter stay the same (a stamp file records both). Any failure throws with pip's output:
 * a test must fail, never skip, when its tool cannot be installed.
 */
export function pythonVenv(spec: PythonVenvSpec): PythonVenv {
  const { interpreter } = spec;
  const requirementsFile = join(PYTHON_TEST_DIR, spec.requirements);
  const venvDir = join(PYTHON_TEST_DIR, spec.venv);
  const stamp = join(venvDir, 'cairn-venv.json');
  const requirements = readFileSync(requirementsFile, 'utf8');
  const wanted = JSON.stringify({ requirements, interpreter: interpreter.path, version: interpreter.version });
  const bin = join(venvDir, 'bin');
  const python = join(bin, 'python');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted && existsSync(python)) {
    return { python, bin, interpreter, reused: true };
  }
  rmSync(venvDir, { recursive: true, force: true });
  run(interpreter.path, ['-m', 'venv', venvDir], 'create the venv', stamp);
  run(
    python,
    ['-m', 'pip', 'install', '--no-input', '-r', requirementsFile],
    `install test/python/${spec.requirements}`,
    stamp,
  );
  const { distribution, version } = spec.check;
  run(
    python,
    [
      '-c',
      `import importlib.metadata as m; assert m.version(${JSON.stringify(distribution)}) == ${JSON.stringify(version)}`,
    ],
    `check ${distribution} ${version}`,
    stamp,
  );
  writeFileSync(stamp, wanted);
  return { python, bin, interpreter, reused: false };
}

/**
 * An interpreter of at least this version: CAIRN_TEST_PYTHON3 if set, `python3`, then
 * `python3.N` on PATH and pyenv's installed versions, newest first; each candidate is run, not
 * just found (a pyenv shim may exist and refuse to run).
 */
export function findPythonAtLeast(major: number, minor: number): PythonInterpreter {
  const tried: string[] = [];
  const candidates: [string, string][] = [];
  if (process.env.CAIRN_TEST_PYTHON3) candidates.push([process.env.CAIRN_TEST_PYTHON3, 'CAIRN_TEST_PYTHON3']);
  candidates.push(['python3', 'python3 on PATH']);
  for (let m = minor + 3; m >= minor; m--) candidates.push([`python${major}.${m}`, `python${major}.${m} on PATH`]);
  for (const root of new Set([process.env.PYENV_ROOT, join(homedir(), '.pyenv')].filter(Boolean) as string[])) {
    const versions = join(root, 'versions');
    if (!existsSync(versions)) continue;
    for (const name of readdirSync(versions)
      .filter((v) => /^\d+\.\d+(\.\d+)?$/.test(v))
      .sort(byVersionDescending)) {
      candidates.push([join(versions, name, 'bin', 'python3'), `pyenv version ${name}`]);
    }
  }
  for (const [path, how] of candidates) {
    const version = pythonVersion(path);
    tried.push(`${path} (${how}): ${version ?? 'does not run'}`);
    const [vMajor, vMinor] = (version ?? '0.0').split('.').map(Number);
    if (vMajor === major && vMinor! >= minor) return { path, version: version!, how };
  }
  throw new Error(`no Python ${major}.${minor}+ interpreter; tried:\n  ${tried.join('\n  ')}`);
}

function run(command: string, args: readonly string[], what: string, stamp: string): void {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: INSTALL_TIMEOUT_MS, killSignal: 'SIGKILL' });
  if (result.status !== 0) {
    rmSync(stamp, { force: true });
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
