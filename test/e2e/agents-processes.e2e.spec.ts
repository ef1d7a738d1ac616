import {
  AgentHandle,
  allEvents,
  appTasks,
  childProcesses,
  commandLineOf,
  describeEachBackend,
  isProcessLive,
  MasterHandle,
  processesInGroup,
  readTaskFile,
  SandboxTask,
  startAgent,
  startMaster,
  TaskView,
  TEST_MASTER_AGENT_ENV,
  waitFor,
  waitForRunningTasks,
} from '../harness';

jest.setTimeout(120_000);

const APP_ID = '/e2e/sleepy';
// A background child besides the task's main process: a scale-down must take the whole group.
const SLEEP_CMD = 'sleep 301 & echo "port=$PORT0"; exec sleep 300';
const PORT_RANGE: [number, number] = [31000, 31099];

/** The sandbox checkpoint of each API task, found by id. */
function sandboxesOf(agent: AgentHandle, tasks: readonly TaskView[]): SandboxTask[] {
  const byId = new Map(agent.sandboxTasks().map((s) => [s.taskId, s]));
  return tasks.map((task) => {
    const sandbox = byId.get(task.id);
    if (!sandbox) throw new Error(`task ${task.id} has no sandbox in ${agent.workDir}`);
    return sandbox;
  });
}

/** The task's main process: the wrapper's child, which `exec`ed `sleep 300`. */
function mainProcess(sandbox: SandboxTask): number {
  const main = childProcesses(sandbox.pid).find((p) => commandLineOf(p.pid).join(' ') === 'sleep 300');
  if (!main) {
    const children = childProcesses(sandbox.pid).map((p) => `${p.pid}: ${commandLineOf(p.pid).join(' ')}`);
    throw new Error(`no 'sleep 300' under wrapper ${sandbox.pid} of ${sandbox.taskId}: [${children.join('; ')}]`);
  }
  return main.pid;
}

describeEachBackend('an app runs as real processes', (backend) => {
  let master: MasterHandle;
  let agent: AgentHandle;

  beforeAll(async () => {
    master = await startMaster({ backend, env: TEST_MASTER_AGENT_ENV });
    agent = await startAgent({
      masterUrl: master.url,
      hostname: 'node-1',
      resources: `cpus:4;mem:4096;ports:[${PORT_RANGE[0]}-${PORT_RANGE[1]}]`,
    });
  });

  afterAll(async () => {
    await agent?.killTasksAndStop();
    await master?.stop();
  });

  it('3 instances are 3 processes with distinct PORT0; a kill -9 is replaced; scale to 0 leaves no process', async () => {
    const created = await master.http.post('/v2/apps', {
      id: APP_ID,
      cmd: SLEEP_CMD,
      instances: 3,
      cpus: 0.1,
      mem: 16,
      backoffSeconds: 1,
    });
    expect(created.status).toBe(201);

    const tasks = await waitForRunningTasks(master, APP_ID, 3, { onTimeout: () => agent.describeLogs() });
    const sandboxes = sandboxesOf(agent, tasks);

    // Three distinct live processes, each leading its own process group (not the agent's).
    expect(new Set(sandboxes.map((s) => s.pid)).size).toBe(3);
    for (const sandbox of sandboxes) {
      expect(isProcessLive(sandbox.pid, sandbox.startTime)).toBe(true);
      expect(sandbox.pgid).toBe(sandbox.pid);
      expect(sandbox.pgid).not.toBe(agent.process.pgid);
    }

    // PORT0 as the task saw it (its stdout, read through the master's files proxy) = the API's port.
    const seenPorts = await Promise.all(
      tasks.map((task) =>
        waitFor(async () => /port=(\d+)/.exec(await readTaskFile(master, task.id, 'stdout'))?.[1], {
          describe: `PORT0 in the stdout of ${task.id}`,
          onTimeout: () => agent.describeLogs(),
        }).then(Number),
      ),
    );
    expect(seenPorts).toEqual(tasks.map((task) => task.ports[0]));
    expect(new Set(seenPorts).size).toBe(3);
    // The task printed after it forked its background child: wrapper, sleep 300 and sleep 301 are in its group.
    for (const sandbox of sandboxes) expect(processesInGroup(sandbox.pgid)).toHaveLength(3);
    for (const port of seenPorts) {
      expect(port).toBeGreaterThanOrEqual(PORT_RANGE[0]);
      expect(port).toBeLessThanOrEqual(PORT_RANGE[1]);
    }

    // kill -9 of one task's main process: the task fails (137) and a new task takes its place.
    const victim = sandboxes[0];
    process.kill(mainProcess(victim), 'SIGKILL');
    const after = await waitForRunningTasks(master, APP_ID, 3, {
      where: (now) => !now.some((t) => t.id === victim.taskId),
      onTimeout: () => agent.describeLogs(),
    });
    const replacements = after.filter((t) => !tasks.some((old) => old.id === t.id));
    expect(replacements).toHaveLength(1);
    const [replacement] = sandboxesOf(agent, replacements);
    expect(isProcessLive(replacement.pid, replacement.startTime)).toBe(true);
    expect(
      after
        .filter((t) => tasks.some((old) => old.id === t.id))
        .map((t) => t.id)
        .sort(),
    ).toEqual(
      tasks
        .slice(1)
        .map((t) => t.id)
        .sort(),
    );
    // The victim's group is gone with it (the wrapper kills what the task left behind).
    await waitFor(() => processesInGroup(victim.pgid).length === 0, {
      timeoutMs: 5_000,
      describe: `no process left in the killed task's group ${victim.pgid}`,
    });
    const failure = (await master.http.get(`/v2/apps${APP_ID}`)).body.app.lastTaskFailure;
    expect(failure).toMatchObject({ taskId: victim.taskId, state: 'TASK_FAILED' });
    const victimEnd = (await allEvents(master, ['TaskStatusUpdated'])).find(
      (e) => e.data.taskId === victim.taskId && e.data.state === 'TASK_FAILED',
    );
    expect(victimEnd?.data.exitCode).toBe(137); // 128 + SIGKILL, as sh reports it
    // The failed task's sandbox is still readable through the master ("why did it die?").
    const victimStdout = await master.http.get(`/v1/tasks/${victim.taskId}/files/stdout`);
    expect(victimStdout.status).toBe(200);
    expect(victimStdout.body.data).toContain('port=');

    // Scale to 0: every task's process group empties (checked with the OS).
    const allSandboxes = sandboxesOf(agent, after).concat(victim);
    const scaled = await master.http.put(`/v2/apps${APP_ID}`, { instances: 0 });
    expect(scaled.status).toBe(200);
    await waitFor(async () => (await appTasks(master, APP_ID)).length === 0, {
      describe: `${APP_ID} to have no task left`,
      onTimeout: () => agent.describeLogs(),
    });
    await waitFor(() => allSandboxes.every((s) => processesInGroup(s.pgid).length === 0), {
      timeoutMs: 5_000,
      describe: 'every task process group to be empty after the scale to 0',
      onTimeout: () =>
        allSandboxes
          .map(
            (s) =>
              `${s.taskId} group ${s.pgid}: ${processesInGroup(s.pgid)
                .map((p) => p.pid)
                .join(',')}`,
          )
          .join('\n'),
    });
    for (const sandbox of allSandboxes) expect(isProcessLive(sandbox.pid, sandbox.startTime)).toBe(false);
  });
});
