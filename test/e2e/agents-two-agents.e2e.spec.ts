import {
  AgentHandle,
  describeEachBackend,
  isProcessLive,
  MasterHandle,
  readTaskFile,
  startAgent,
  startMaster,
  TEST_MASTER_AGENT_ENV,
  waitFor,
  waitForRunningTasks,
} from '../harness';

jest.setTimeout(120_000);

const APP_ID = '/e2e/spread';
const HOSTS = [
  { hostname: 'host-a', ports: [31000, 31009] },
  { hostname: 'host-b', ports: [32000, 32009] },
] as const;

describeEachBackend('two agents on one machine standing for two hosts', (backend) => {
  let master: MasterHandle;
  const agents: AgentHandle[] = [];

  beforeAll(async () => {
    master = await startMaster({ backend, env: TEST_MASTER_AGENT_ENV });
    for (const { hostname, ports } of HOSTS) {
      agents.push(
        await startAgent({
          masterUrl: master.url,
          hostname,
          resources: `cpus:2;mem:1024;ports:[${ports[0]}-${ports[1]}]`,
        }),
      );
    }
  });

  afterAll(async () => {
    for (const agent of agents) await agent.killTasksAndStop();
    await master?.stop();
  });

  it('both receive tasks, each on its own host name and port range', async () => {
    const registered = (await master.http.get('/v1/agents')).body.agents;
    expect(registered.map((a: { hostname: string }) => a.hostname).sort()).toEqual(['host-a', 'host-b']);

    // 4 instances of 1 cpu on two agents of 2 cpus: neither agent can take them all.
    const cmd = 'echo "port=$PORT0 host=$HOST"; exec sleep 300';
    const created = await master.http.post('/v2/apps', { id: APP_ID, cmd, instances: 4, cpus: 1, mem: 64 });
    expect(created.status).toBe(201);
    const logs = () => agents.map((a) => a.describeLogs()).join('\n');
    const tasks = await waitForRunningTasks(master, APP_ID, 4, { onTimeout: logs });

    for (const [i, { hostname, ports }] of HOSTS.entries()) {
      const agent = agents[i];
      const onHost = tasks.filter((t) => t.host === hostname);
      expect(onHost).toHaveLength(2);
      for (const task of onHost) {
        expect(task.slaveId).toBe(agent.agentId());
        expect(task.ports).toHaveLength(1);
        expect(task.ports[0]).toBeGreaterThanOrEqual(ports[0]);
        expect(task.ports[0]).toBeLessThanOrEqual(ports[1]);
        // A real process in this agent's work dir, and the environment it got says the same.
        const sandbox = agent.sandboxTasks().find((s) => s.taskId === task.id);
        expect(sandbox && isProcessLive(sandbox.pid, sandbox.startTime)).toBe(true);
        const line = await waitFor(
          async () => /port=\d+ host=\S+/.exec(await readTaskFile(master, task.id, 'stdout'))?.[0],
          {
            describe: `the stdout of ${task.id} through the files proxy`,
            onTimeout: logs,
          },
        );
        expect(line).toBe(`port=${task.ports[0]} host=${hostname}`);
      }
    }
    const used = (await master.http.get('/v1/agents')).body.agents;
    for (const view of used) expect(view).toMatchObject({ tasks: 2, used: { cpus: 2 } });
  });
});
