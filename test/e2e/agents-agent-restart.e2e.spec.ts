import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AgentHandle,
  allEvents,
  appTasks,
  describeEachBackend,
  isProcessLive,
  MasterHandle,
  processesInGroup,
  readSandboxTasks,
  SandboxTask,
  startAgent,
  startMaster,
  TEST_MASTER_AGENT_ENV,
  waitFor,
  waitForRunningTasks,
} from '../harness';

jest.setTimeout(120_000);

const STEADY = '/e2e/steady';
const QUITTER = '/e2e/quitter';
/** The quitter runs until a file appears in its sandbox (its cwd), then exits with this code. */
const QUIT_CODE = 7;
const RELEASE_FILE = 'release';

describeEachBackend('an agent killed with SIGKILL and started again', (backend) => {
  let master: MasterHandle;
  let agent: AgentHandle;

  beforeAll(async () => {
    master = await startMaster({
      backend,
      // The agent is down for a moment only: its tasks must not be declared unreachable meanwhile.
      env: { ...TEST_MASTER_AGENT_ENV, CAIRN_AGENT_UNREACHABLE_SECONDS: '300' },
    });
    agent = await startAgent({
      masterUrl: master.url,
      hostname: 'node-1',
      resources: 'cpus:4;mem:4096;ports:[31000-31099]',
    });
  });

  afterAll(async () => {
    await agent?.killTasksAndStop();
    await master?.stop();
  });

  it('keeps its tasks (same ids and pids, RUNNING) and reports the exit code of one that ended meanwhile', async () => {
    const common = { cpus: 0.1, mem: 16, backoffSeconds: 1 };
    expect(
      (await master.http.post('/v2/apps', { ...common, id: STEADY, cmd: 'exec sleep 300', instances: 2 })).status,
    ).toBe(201);
    const quitterCmd = `while [ ! -e ${RELEASE_FILE} ]; do sleep 0.1; done; exit ${QUIT_CODE}`;
    expect((await master.http.post('/v2/apps', { ...common, id: QUITTER, cmd: quitterCmd, instances: 1 })).status).toBe(
      201,
    );
    const steady = await waitForRunningTasks(master, STEADY, 2, { onTimeout: () => agent.describeLogs() });
    const [quitter] = await waitForRunningTasks(master, QUITTER, 1, { onTimeout: () => agent.describeLogs() });
    const before = new Map(agent.sandboxTasks().map((s) => [s.taskId, s]));
    const sandboxOf = (taskId: string): SandboxTask => {
      const sandbox = before.get(taskId);
      if (!sandbox) throw new Error(`task ${taskId} has no sandbox in ${agent.workDir}`);
      return sandbox;
    };
    const steadyBefore = steady.map((t) => sandboxOf(t.id));
    const quitterSandbox = sandboxOf(quitter.id);
    const launchesBefore = (await allEvents(master, ['TaskLaunched'])).length;

    // SIGKILL: the agent dies at once; its tasks are in their own sessions and keep running.
    const killed = await agent.kill();
    expect(killed.signal).toBe('SIGKILL');
    for (const s of [...steadyBefore, quitterSandbox]) expect(isProcessLive(s.pid, s.startTime)).toBe(true);

    // While no agent runs, the quitter ends with its code (the wrapper records it in the sandbox).
    writeFileSync(join(quitterSandbox.sandboxDir, RELEASE_FILE), '');
    const ended = await waitFor(
      () => readSandboxTasks(agent.workDir).find((s) => s.taskId === quitter.id && s.exitStatus !== undefined),
      { describe: `the quitter ${quitter.id} to record its exit status while the agent is down` },
    );
    expect(ended.exitStatus).toBe(QUIT_CODE);
    // The wrapper records the exit, then exits itself: its group empties a moment after the record.
    await waitFor(() => (processesInGroup(quitterSandbox.pgid).length === 0 ? true : undefined), {
      timeoutMs: 10_000,
      describe: `the quitter's process group ${quitterSandbox.pgid} to be gone`,
    });
    expect(agent.process.exitStatus()).toBeDefined(); // still down: the exit happened without an agent

    // Started again on the same work dir: it adopts the running tasks and reports the exit.
    await agent.start();

    const steadyAfter = await waitForRunningTasks(master, STEADY, 2, { onTimeout: () => agent.describeLogs() });
    expect(steadyAfter.map((t) => t.id).sort()).toEqual(steady.map((t) => t.id).sort());
    // ...and the agent said so itself when it re-registered (the API's RUNNING is not a stale view).
    const reregistered = (await allEvents(master, ['AgentReregistered'])).at(-1);
    expect(reregistered?.data.agentId).toBe(agent.agentId());
    for (const t of steady) expect(reregistered?.data.tasks).toContainEqual({ taskId: t.id, state: 'TASK_RUNNING' });
    const sandboxesAfter = new Map(agent.sandboxTasks().map((s) => [s.taskId, s]));
    for (const s of steadyBefore) {
      const now = sandboxesAfter.get(s.taskId) as SandboxTask;
      expect({ pid: now.pid, startTime: now.startTime }).toEqual({ pid: s.pid, startTime: s.startTime });
      expect(isProcessLive(s.pid, s.startTime)).toBe(true);
    }

    const failure = await waitFor(
      async () => {
        const app = (await master.http.get(`/v2/apps${QUITTER}`)).body.app;
        return app.lastTaskFailure?.taskId === quitter.id ? app.lastTaskFailure : undefined;
      },
      { describe: `lastTaskFailure of ${QUITTER} to name ${quitter.id}`, onTimeout: () => agent.describeLogs() },
    );
    expect(failure).toMatchObject({ taskId: quitter.id, state: 'TASK_FAILED', slaveId: quitter.slaveId });
    expect(failure.message).toContain(String(QUIT_CODE));
    const ends = (await allEvents(master, ['TaskStatusUpdated'])).filter((e) => e.data.taskId === quitter.id);
    expect(ends.filter((e) => e.data.state === 'TASK_FAILED').map((e) => e.data.exitCode)).toEqual([QUIT_CODE]);
    expect((await appTasks(master, QUITTER)).some((t) => t.id === quitter.id)).toBe(false);

    // Nothing of the steady app was launched again: only the quitter's replacement (if it came yet).
    const launchesAfter = await allEvents(master, ['TaskLaunched']);
    expect(launchesAfter.slice(launchesBefore).every((e) => e.data.appId === QUITTER)).toBe(true);
  });
});
