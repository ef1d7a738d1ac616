import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { transformFileSync } from '@swc/core';
import { SystemClock } from '@cairn/common';
import { aTaskSpec, ExitRecorder, GroupSweeper, runPrefix, tempWorkDir, waitFor } from './executor-test-support';
import { ProcessExecutor, type LaunchedTask } from './process-executor';
import { isAlive, readProcStat } from './process-identity';

// A real agent death: a child node process runs executor A, launches tasks, and is SIGKILLed.
// The executor's folder is compiled on the fly (it has no runtime imports outside itself), so the
// child runs the same code the spec imports.
const prefix = runPrefix();
const sweeper = new GroupSweeper(prefix);
const work = tempWorkDir();
const compiled = mkdtempSync(join(tmpdir(), 'cairn-executor-js-'));
let agent: ChildProcess | undefined;
let executor: ProcessExecutor | undefined;

const AGENT_SCRIPT = `
const { ProcessExecutor } = require('./process-executor.js');
const clock = {
  now: () => Date.now(),
  setTimer: (ms, fn) => { const handle = setTimeout(fn, ms); return () => clearTimeout(handle); },
};
const executor = new ProcessExecutor({ workDir: process.argv[2], clock });
(async () => {
  const launched = [];
  for (const spec of JSON.parse(process.argv[3])) launched.push(await executor.launch(spec));
  process.stdout.write(JSON.stringify(launched) + '\\n');
  setInterval(() => undefined, 1000); // an agent stays up until killed
})();
`;

/** The executor's sources, its subdirectories (fetch/) included, as CommonJS next to the agent script. */
function compileExecutor(dir = ''): void {
  for (const entry of readdirSync(join(__dirname, dir), { withFileTypes: true })) {
    const name = join(dir, entry.name);
    if (entry.isDirectory()) {
      mkdirSync(join(compiled, name), { recursive: true });
      compileExecutor(name);
      continue;
    }
    if (!name.endsWith('.ts') || name.endsWith('.spec.ts') || name === 'executor-test-support.ts') continue;
    const { code } = transformFileSync(join(__dirname, name), {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'commonjs' },
      swcrc: false,
    });
    writeFileSync(join(compiled, name.replace(/\.ts$/, '.js')), code);
  }
  if (dir === '') writeFileSync(join(compiled, 'agent.js'), AGENT_SCRIPT);
}

function startAgent(specs: unknown[]): Promise<LaunchedTask[]> {
  const child = spawn(process.execPath, [join(compiled, 'agent.js'), work.dir, JSON.stringify(specs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  agent = child;
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(JSON.parse(out) as LaunchedTask[]);
    });
    child.once('exit', (code, signal) => reject(new Error(`agent exited early: ${code ?? signal}`)));
  });
}

function sigkill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

afterAll(async () => {
  executor?.close();
  if (agent && agent.exitCode === null && agent.signalCode === null) await sigkill(agent);
  const left = await sweeper.sweep();
  work.remove();
  rmSync(compiled, { recursive: true, force: true });
  expect(left).toEqual({ leftGroups: [], leftMatching: [] });
});

it('tasks outlive a SIGKILLed agent; the next executor adopts them by pid and reports their exits', async () => {
  compileExecutor();
  const running = `${prefix}.running`;
  const exitsWhileDown = `${prefix}.exits-while-down`;
  const waitsForGo = (code: number) => `while [ ! -f go ]; do sleep 0.02; done; exit ${code}`;
  const launched = await startAgent([
    aTaskSpec(running, { command: { shell: true, value: waitsForGo(6) } }),
    aTaskSpec(exitsWhileDown, { command: { shell: true, value: waitsForGo(7) } }),
  ]);
  for (const task of launched) sweeper.track(task.pgid);
  const [first, second] = launched;

  await sigkill(agent!);
  // Still running, no longer the dead agent's children.
  for (const task of launched) {
    expect(isAlive(task.pid, task.startTime)).toBe(true);
    expect(readProcStat(task.pid)!.ppid).not.toBe(agent!.pid);
  }
  writeFileSync(join(second.sandboxDir, 'go'), '');
  await waitFor('the exit status', () => (existsSync(join(second.sandboxDir, 'exit_status')) ? true : undefined));

  executor = new ProcessExecutor({ workDir: work.dir, clock: new SystemClock(), adoptedPollIntervalMs: 20 });
  const exits = new ExitRecorder(executor);
  const adopted = await executor.adopt();
  expect(adopted).toEqual([
    expect.objectContaining({
      taskId: exitsWhileDown,
      state: 'exited',
      exit: expect.objectContaining({ exitCode: 7 }),
    }),
    expect.objectContaining({
      taskId: running,
      state: 'running',
      checkpoint: expect.objectContaining({ pid: first.pid }),
    }),
  ]);
  expect(await exits.next(exitsWhileDown)).toMatchObject({ kind: 'exited', exitCode: 7 });

  writeFileSync(join(first.sandboxDir, 'go'), '');
  expect(await exits.next(running)).toMatchObject({ kind: 'exited', exitCode: 6 });
});
