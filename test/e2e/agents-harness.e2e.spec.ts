import {
  AgentHandle,
  isProcessLive,
  liveTaskGroups,
  MasterHandle,
  processesInGroup,
  startAgent,
  startMaster,
  sweepWorkDir,
  TEST_MASTER_AGENT_ENV,
  waitFor,
  waitForRunningTasks,
} from '../harness';

jest.setTimeout(60_000);

/**
 * The harness's promise about agents: their tasks, which live outside the agent's process group
 * and outlive it, are found and swept through the work dir even after the agent was SIGKILLed.
 * (The same sweep runs at the end of every test file that started an agent.)
 */
describe('harness: an agent and its tasks [file]', () => {
  let master: MasterHandle;
  let agent: AgentHandle;

  beforeAll(async () => {
    master = await startMaster({ backend: 'file', env: TEST_MASTER_AGENT_ENV });
    agent = await startAgent({
      masterUrl: master.url,
      hostname: 'node-1',
      resources: 'cpus:2;mem:512;ports:[31000-31009]',
    });
  });

  afterAll(async () => {
    await master?.stop();
  });

  it('sweeps the tasks of a SIGKILLed agent (and their children) through its work dir', async () => {
    const created = await master.http.post('/v2/apps', {
      id: '/e2e/orphans',
      cmd: 'sleep 333 & exec sleep 334',
      instances: 2,
      cpus: 0.1,
      mem: 16,
    });
    expect(created.status).toBe(201);
    await waitForRunningTasks(master, '/e2e/orphans', 2, { onTimeout: () => agent.describeLogs() });
    const sandboxes = agent.sandboxTasks();
    expect(sandboxes).toHaveLength(2);
    // Wrapper, main process and its background child in each group (the fork may trail RUNNING).
    await waitFor(() => sandboxes.every((s) => processesInGroup(s.pgid).length === 3), {
      describe: 'three processes in each task group',
    });

    await agent.kill();
    // The tasks outlive their agent.
    for (const s of sandboxes) {
      expect(isProcessLive(s.pid, s.startTime)).toBe(true);
      expect(processesInGroup(s.pgid)).toHaveLength(3);
    }
    expect(
      liveTaskGroups(agent.workDir)
        .map((g) => g.pgid)
        .sort(),
    ).toEqual(sandboxes.map((s) => s.pgid).sort());

    const swept = await sweepWorkDir(agent.workDir);
    expect(swept.groups.sort()).toEqual(sandboxes.map((s) => s.pgid).sort());
    for (const s of sandboxes) expect(processesInGroup(s.pgid)).toEqual([]);
    expect(liveTaskGroups(agent.workDir)).toEqual([]);
  });
});
