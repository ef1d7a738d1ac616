import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock, SystemClock } from '@cairn/common';
import { createServer, type AddressInfo } from 'node:net';
import { InvalidTaskIdError, PortInUseError, TaskAlreadyLaunchedError } from './executor-errors';
import {
  aTaskSpec,
  ExitRecorder,
  GroupSweeper,
  groupMembers,
  readIfExists,
  runPrefix,
  sleep,
  tempWorkDir,
  waitFor,
  waitForTaskProcess,
} from './executor-test-support';
import { ProcessExecutor, type ProcessExecutorOptions } from './process-executor';
import { isAlive, readProcStat } from './process-identity';
import type { TaskCheckpoint } from './task-checkpoint';

// Real processes: every group a test creates is tracked and swept in afterAll, and the sweep
// checks with pgrep that nothing of this run is left.
const prefix = runPrefix();
const sweeper = new GroupSweeper(prefix);
const work = tempWorkDir();
const executors: ProcessExecutor[] = [];
let counter = 0;
/** The launcher of the describe block being run (both paths run every test). */
let launcher: ProcessExecutorOptions['launcher'];

function nextTaskId(): string {
  counter += 1;
  return `${prefix}.t${counter}`;
}

function anExecutor(overrides: Partial<ProcessExecutorOptions> = {}): {
  executor: ProcessExecutor;
  exits: ExitRecorder;
} {
  const executor = new ProcessExecutor({
    workDir: work.dir,
    clock: new SystemClock(),
    adoptedPollIntervalMs: 20,
    launcher,
    ...overrides,
  });
  executors.push(executor);
  return { executor, exits: new ExitRecorder(executor) };
}

/** A task that waits for a `go` file in its sandbox, then exits with `code`. */
function waitsForGo(code: number): string {
  return `while [ ! -f go ]; do sleep 0.02; done; exit ${code}`;
}

function sandboxFile(taskId: string, name: string): string {
  return join(work.dir, 'sandboxes', taskId, name);
}

afterAll(async () => {
  for (const executor of executors) executor.close();
  const left = await sweeper.sweep();
  work.remove();
  expect(left).toEqual({ leftGroups: [], leftMatching: [] });
});

describe.each(['child', 'in-process'] as const)('launcher: %s', (mode) => {
  beforeAll(() => {
    launcher = mode;
  });
  describe('ProcessExecutor: launch', () => {
    it('runs a task as a detached wrapper leading its own group, with sandbox files and a checkpoint', async () => {
      const { executor } = anExecutor();
      const taskId = nextTaskId();
      const launched = await executor.launch(aTaskSpec(taskId, { command: { shell: true, value: 'sleep 30' } }));
      sweeper.track(launched.pgid);

      expect(launched.pgid).toBe(launched.pid);
      expect(executor.isAlive(launched.pid, launched.startTime)).toBe(true);
      const wrapper = readProcStat(launched.pid)!;
      expect(wrapper.sid).toBe(launched.pid); // its own session, so the agent's death does not reach it
      expect(wrapper.pgid).toBe(launched.pid);
      // The wrapper and the task (sh -c 'sleep 30', exec'd into sleep by dash) share the group.
      await waitForTaskProcess(launched.pgid, 'sleep');
      await waitFor('stdout and stderr', () =>
        existsSync(sandboxFile(taskId, 'stdout')) && existsSync(sandboxFile(taskId, 'stderr')) ? true : undefined,
      );
      const checkpoint = JSON.parse(readFileSync(sandboxFile(taskId, 'task.json'), 'utf8')) as TaskCheckpoint;
      expect(checkpoint).toMatchObject({
        formatVersion: 1,
        pid: launched.pid,
        pgid: launched.pid,
        startTime: launched.startTime,
        sandboxDir: launched.sandboxDir,
      });
      expect(checkpoint.spec.taskId).toBe(taskId);
      expect(executor.runningTasks().map((task) => task.taskId)).toContain(taskId);
    });

    it("gives the task Marathon's environment, the sandbox as cwd, and never the agent's CAIRN_* variables", async () => {
      process.env.CAIRN_AGENT_TOKEN = 'must-not-leak';
      const { executor, exits } = anExecutor(); // takes its inherited environment now
      delete process.env.CAIRN_AGENT_TOKEN;
      const taskId = nextTaskId();
      const spec = aTaskSpec(taskId, {
        command: { shell: true, value: 'env; echo "cwd=$(pwd)"' },
        env: { APP_SETTING: 'from app', PORT1: '9999' },
        requestedPorts: [10000, 0],
      });
      sweeper.track((await executor.launch(spec)).pgid);

      expect(await exits.next(taskId)).toMatchObject({ kind: 'exited', exitCode: 0 });
      const lines = readFileSync(sandboxFile(taskId, 'stdout'), 'utf8').split('\n');
      const sandbox = join(work.dir, 'sandboxes', taskId);
      expect(lines).toEqual(
        expect.arrayContaining([
          'PORT0=31000',
          'PORT1=9999', // the app's env wins, as in Marathon
          'PORT=31000',
          'PORTS=31000,31001',
          'PORT_10000=31000',
          'PORT_31001=31001',
          'PORT_HTTP=31000',
          'HOST=agent-test.local',
          `MESOS_TASK_ID=${taskId}`,
          'MARATHON_APP_ID=/test/app',
          'MARATHON_APP_VERSION=2026-01-01T00:00:00.000Z',
          `MESOS_SANDBOX=${sandbox}`,
          'APP_SETTING=from app',
          `cwd=${sandbox}`,
        ]),
      );
      expect(lines.some((line) => line.startsWith('CAIRN_'))).toBe(false);
      expect(lines.some((line) => line.startsWith('PATH='))).toBe(true); // inherited from the agent
    });

    it('executes args directly, without a shell: no expansion, no word splitting', async () => {
      const { executor, exits } = anExecutor();
      const taskId = nextTaskId();
      const spec = aTaskSpec(taskId, { command: { shell: false, args: ['printf', '[%s]', '$HOME', 'a b', '*', ';'] } });
      sweeper.track((await executor.launch(spec)).pgid);

      expect(await exits.next(taskId)).toMatchObject({ kind: 'exited', exitCode: 0 });
      expect(readFileSync(sandboxFile(taskId, 'stdout'), 'utf8')).toBe('[$HOME][a b][*][;]');
    });

    it('records the exit code of `exit 3` in exit_status and reports it', async () => {
      const { executor, exits } = anExecutor();
      const taskId = nextTaskId();
      sweeper.track(
        (
          await executor.launch(
            aTaskSpec(taskId, { command: { shell: true, value: 'echo out; echo err >&2; exit 3' } }),
          )
        ).pgid,
      );

      const exit = await exits.next(taskId);
      expect(exit).toMatchObject({ taskId, kind: 'exited', exitCode: 3 });
      expect(readFileSync(sandboxFile(taskId, 'exit_status'), 'utf8')).toBe('3\n');
      expect(readFileSync(sandboxFile(taskId, 'stdout'), 'utf8')).toBe('out\n');
      expect(readFileSync(sandboxFile(taskId, 'stderr'), 'utf8')).toBe('err\n');
      expect(exit.finishedAt).toBeGreaterThan(Date.now() - 60_000);
      expect(executor.runningTasks().map((task) => task.taskId)).not.toContain(taskId);
    });

    it('reports a command that does not exist as exit 127, like sh', async () => {
      const { executor, exits } = anExecutor();
      const taskId = nextTaskId();
      sweeper.track(
        (await executor.launch(aTaskSpec(taskId, { command: { shell: false, args: [`${prefix}-no-such-program`] } })))
          .pgid,
      );
      expect(await exits.next(taskId)).toMatchObject({ kind: 'exited', exitCode: 127 });
    });

    it('refuses a task id twice, and a task id that cannot name a directory', async () => {
      const { executor } = anExecutor();
      const taskId = nextTaskId();
      sweeper.track((await executor.launch(aTaskSpec(taskId))).pgid);
      await expect(executor.launch(aTaskSpec(taskId))).rejects.toBeInstanceOf(TaskAlreadyLaunchedError);
      await expect(executor.launch(aTaskSpec('../escape'))).rejects.toBeInstanceOf(InvalidTaskIdError);
    });

    it('does not start a task whose host port another process holds, and says which port', async () => {
      const { executor } = anExecutor();
      const holder = createServer();
      await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
      const busy = (holder.address() as AddressInfo).port;
      try {
        const taskId = nextTaskId();
        const launch = executor.launch(aTaskSpec(taskId, { ports: [busy] }));
        await expect(launch).rejects.toBeInstanceOf(PortInUseError);
        await expect(launch).rejects.toThrow(`host port ${busy} is already in use on this host`);
        expect(existsSync(join(work.dir, 'sandboxes', taskId))).toBe(false);
      } finally {
        await new Promise((resolve) => holder.close(resolve));
      }
      // Free again: the same port launches.
      const taskId = nextTaskId();
      sweeper.track((await executor.launch(aTaskSpec(taskId, { ports: [busy] }))).pgid);
    });

    it('kills leftover background children of a task when the task itself exits', async () => {
      const { executor, exits } = anExecutor();
      const taskId = nextTaskId();
      const launched = await executor.launch(
        aTaskSpec(taskId, { command: { shell: true, value: 'sleep 30 & exit 0' } }),
      );
      sweeper.track(launched.pgid);
      expect(await exits.next(taskId)).toMatchObject({ kind: 'exited', exitCode: 0 });
      await waitFor('the group to be empty', () => (groupMembers(launched.pgid).length === 0 ? true : undefined));
    });
  });

  describe('ProcessExecutor: kill', () => {
    it('sends SIGTERM to the group: a task that traps TERM and exits 0 is reported with code 0', async () => {
      const { executor, exits } = anExecutor();
      const taskId = nextTaskId();
      const command = "trap 'echo bye; exit 0' TERM; echo ready; while :; do sleep 0.02; done";
      const launched = await executor.launch(aTaskSpec(taskId, { command: { shell: true, value: command } }));
      sweeper.track(launched.pgid);
      await waitFor('the trap', () => (readIfExists(sandboxFile(taskId, 'stdout')) === 'ready\n' ? true : undefined));

      expect(executor.kill(taskId, 10_000)).toBe('signalled');
      expect(executor.kill(taskId, 10_000)).toBe('already-killing');
      expect(await exits.next(taskId)).toMatchObject({ kind: 'exited', exitCode: 0 });
      expect(readFileSync(sandboxFile(taskId, 'stdout'), 'utf8')).toBe('ready\nbye\n');
      expect(groupMembers(launched.pgid)).toEqual([]);
      expect(executor.kill(taskId)).toBe('not-running');
    });

    it('reports a task that SIGTERM kills as signalled SIGTERM (143)', async () => {
      const { executor, exits } = anExecutor();
      const taskId = nextTaskId();
      const launched = await executor.launch(aTaskSpec(taskId, { command: { shell: false, args: ['sleep', '30'] } }));
      sweeper.track(launched.pgid);
      await waitForTaskProcess(launched.pgid, 'sleep');
      executor.kill(taskId);
      expect(await exits.next(taskId)).toMatchObject({ kind: 'signaled', signal: 'SIGTERM', exitCode: 143 });
    });

    it('SIGKILLs a task that ignores SIGTERM once the grace period has passed on the injected clock', async () => {
      const clock = new ManualClock();
      const { executor, exits } = anExecutor({ clock });
      const taskId = nextTaskId();
      const command = "trap '' TERM; echo ready; while :; do sleep 0.02; done";
      const launched = await executor.launch(
        aTaskSpec(taskId, { command: { shell: true, value: command }, killGracePeriodSeconds: 5 }),
      );
      sweeper.track(launched.pgid);
      await waitFor('the trap', () => (readIfExists(sandboxFile(taskId, 'stdout')) === 'ready\n' ? true : undefined));

      expect(executor.kill(taskId)).toBe('signalled'); // grace from the spec: 5 s
      await sleep(300);
      expect(isAlive(launched.pid, launched.startTime)).toBe(true);
      clock.advance(4_999);
      await sleep(100);
      expect(isAlive(launched.pid, launched.startTime)).toBe(true);
      expect(exits.exits.filter((exit) => exit.taskId === taskId)).toEqual([]);

      clock.advance(1);
      const exit = await exits.next(taskId);
      expect(exit).toMatchObject({ kind: 'signaled', signal: 'SIGKILL', exitCode: 137, finishedAt: clock.now() });
      // The SIGKILL took the wrapper too, so the agent recorded the status for a later adopt().
      expect(readFileSync(sandboxFile(taskId, 'exit_status'), 'utf8')).toBe('137\n');
      expect(groupMembers(launched.pgid)).toEqual([]);
    });

    it('reports a task whose wrapper was SIGKILLed from outside as lost, and clears its group', async () => {
      const { executor, exits } = anExecutor();
      const taskId = nextTaskId();
      const launched = await executor.launch(aTaskSpec(taskId, { command: { shell: false, args: ['sleep', '30'] } }));
      sweeper.track(launched.pgid);
      await waitForTaskProcess(launched.pgid, 'sleep');

      process.kill(launched.pid, 'SIGKILL'); // the wrapper only: its sleep survives, orphaned
      expect(await exits.next(taskId)).toMatchObject({ kind: 'lost' });
      await waitFor('the orphan to be killed', () => (groupMembers(launched.pgid).length === 0 ? true : undefined));
    });
  });

  describe('ProcessExecutor: adoption by a new executor (the agent restarted)', () => {
    it('adopts a running task with the same pid, then reports its exit code', async () => {
      const a = anExecutor();
      const taskId = nextTaskId();
      const launched = await a.executor.launch(aTaskSpec(taskId, { command: { shell: true, value: waitsForGo(5) } }));
      sweeper.track(launched.pgid);
      a.executor.close(); // the agent "dies": nobody watches the task

      const b = anExecutor();
      const adopted = await b.executor.adopt();
      const mine = adopted.find((task) => task.taskId === taskId);
      expect(mine).toMatchObject({
        state: 'running',
        checkpoint: { pid: launched.pid, startTime: launched.startTime },
      });
      expect(b.executor.runningTasks()).toContainEqual(expect.objectContaining({ taskId, pid: launched.pid }));

      writeFileSync(sandboxFile(taskId, 'go'), '');
      expect(await b.exits.next(taskId)).toMatchObject({ kind: 'exited', exitCode: 5 });
      expect(a.exits.exits.filter((exit) => exit.taskId === taskId)).toEqual([]); // the closed one stays silent
    });

    it('kills an adopted task through its group', async () => {
      const a = anExecutor();
      const taskId = nextTaskId();
      const launched = await a.executor.launch(aTaskSpec(taskId, { command: { shell: false, args: ['sleep', '30'] } }));
      sweeper.track(launched.pgid);
      a.executor.close();

      await waitForTaskProcess(launched.pgid, 'sleep');

      const b = anExecutor();
      await b.executor.adopt();
      expect(b.executor.kill(taskId)).toBe('signalled');
      expect(await b.exits.next(taskId)).toMatchObject({ kind: 'signaled', signal: 'SIGTERM' });
      await waitFor('the group to be empty', () => (groupMembers(launched.pgid).length === 0 ? true : undefined));
    });

    it('reports, on adopt, a task that exited while no executor watched, once acknowledged never again', async () => {
      const a = anExecutor();
      const taskId = nextTaskId();
      const launched = await a.executor.launch(aTaskSpec(taskId, { command: { shell: true, value: waitsForGo(4) } }));
      sweeper.track(launched.pgid);
      a.executor.close();
      writeFileSync(sandboxFile(taskId, 'go'), '');
      await waitFor('exit_status', () => (existsSync(sandboxFile(taskId, 'exit_status')) ? true : undefined));

      const b = anExecutor();
      const adopted = await b.executor.adopt();
      expect(adopted.find((task) => task.taskId === taskId)).toMatchObject({
        state: 'exited',
        exit: { kind: 'exited', exitCode: 4 },
      });
      expect(b.exits.exits.filter((exit) => exit.taskId === taskId)).toEqual([
        expect.objectContaining({ kind: 'exited', exitCode: 4 }),
      ]);

      await b.executor.acknowledgeExit(taskId);
      const c = anExecutor();
      expect((await c.executor.adopt()).map((task) => task.taskId)).not.toContain(taskId);
    });

    it('does not mistake a reused pid for the task: another start time in the checkpoint means lost', async () => {
      const a = anExecutor();
      const taskId = nextTaskId();
      const launched = await a.executor.launch(aTaskSpec(taskId, { command: { shell: false, args: ['sleep', '30'] } }));
      sweeper.track(launched.pgid);
      a.executor.close();
      // As if the task had died and an unrelated process had been given its pid.
      const file = sandboxFile(taskId, 'task.json');
      const checkpoint = JSON.parse(readFileSync(file, 'utf8')) as TaskCheckpoint;
      writeFileSync(file, JSON.stringify({ ...checkpoint, startTime: checkpoint.startTime - 1 }));

      const b = anExecutor();
      const adopted = await b.executor.adopt();
      expect(adopted.find((task) => task.taskId === taskId)).toMatchObject({ state: 'lost', exit: { kind: 'lost' } });
      expect(b.executor.kill(taskId)).toBe('not-running');
      // ...and the "unrelated" process that holds the pid was left alone.
      expect(isAlive(launched.pid, launched.startTime)).toBe(true);
    });

    it('stops the wrapper of a launch that was never checkpointed, and reports the task lost', async () => {
      const a = anExecutor();
      const taskId = nextTaskId();
      const launched = await a.executor.launch(aTaskSpec(taskId, { command: { shell: false, args: ['sleep', '30'] } }));
      sweeper.track(launched.pgid);
      a.executor.close();
      // As if the agent had died between spawning the wrapper and writing task.json.
      rmSync(sandboxFile(taskId, 'task.json'));

      const b = anExecutor();
      const adopted = await b.executor.adopt();
      expect(adopted.find((task) => task.taskId === taskId)).toMatchObject({ state: 'lost' });
      await waitFor('the group to be empty', () => (groupMembers(launched.pgid).length === 0 ? true : undefined));
    });
  });

  describe('ProcessExecutor: the launcher child', () => {
    it('is the parent of the wrappers (not this process) when launcher is child', async () => {
      const { executor } = anExecutor();
      const launched = await executor.launch(aTaskSpec(nextTaskId()));
      sweeper.track(launched.pgid);
      const parent = readProcStat(launched.pid)!.ppid;
      if (mode === 'child') expect(parent).not.toBe(process.pid);
      else expect(parent).toBe(process.pid);
    });
  });
});

describe('ProcessExecutor: death of the launcher child', () => {
  beforeAll(() => {
    launcher = 'child';
  });

  it('survives its death: tasks keep running, their exits are still reported, the next launch restarts it', async () => {
    const { executor, exits } = anExecutor();
    const taskId = nextTaskId();
    const launched = await executor.launch(aTaskSpec(taskId, { command: { shell: true, value: waitsForGo(5) } }));
    sweeper.track(launched.pgid);
    const launcherPid = readProcStat(launched.pid)!.ppid;
    process.kill(launcherPid, 'SIGKILL');
    await waitFor('the launcher to be gone', () => (readProcStat(launcherPid)?.state ?? 'Z') === 'Z' || undefined);
    await sleep(50);
    expect(isAlive(launched.pid, launched.startTime)).toBe(true);

    const second = await executor.launch(aTaskSpec(nextTaskId()));
    sweeper.track(second.pgid);
    expect(readProcStat(second.pid)!.ppid).not.toBe(launcherPid);

    writeFileSync(sandboxFile(taskId, 'go'), '');
    expect(await exits.next(taskId)).toMatchObject({ kind: 'exited', exitCode: 5 });
  });
});
