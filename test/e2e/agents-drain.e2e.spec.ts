import {
  AgentHandle,
  ALIVE_HTTP_CHECK,
  allEvents,
  appTasks,
  cli,
  endOffset,
  foldRollingRestart,
  Json,
  MasterHandle,
  SERVE_SANDBOX_CMD,
  startAgent,
  startMaster,
  TEST_MASTER_AGENT_ENV,
  waitFor,
  waitForSettled,
} from '../harness';

jest.setTimeout(120_000);

/**
 * Agent maintenance (issue 11, part 5): `cairn agents drain` moves every task of a health-checked
 * app off an agent through a deployment that honours the app's upgradeStrategy, the agent gets no
 * task meanwhile, and the drain's end is in the log. Real agents, real tasks (python's http.server
 * with an HTTP health check), the file log.
 */
const APP_ID = '/drain/web';
const INSTANCES = 3;
/** minHealthy = ceil(3 × 0.5) = 2; capacity = floor(3 × 1) = 3: a task on A goes before its replacement starts. */
const STRATEGY = { minimumHealthCapacity: 0.5, maximumOverCapacity: 0 };
const MIN_HEALTHY = Math.ceil(INSTANCES * STRATEGY.minimumHealthCapacity);

describe('agent drain', () => {
  let master: MasterHandle;
  const agents: AgentHandle[] = [];
  const logs = () => agents.map((a) => a.describeLogs()).join('\n');

  beforeAll(async () => {
    master = await startMaster({ backend: 'file', env: TEST_MASTER_AGENT_ENV });
  });

  afterAll(async () => {
    for (const agent of agents) await agent.killTasksAndStop();
    await master?.stop();
  });

  /** Healthy tasks of the app as /v2/apps/{id}/tasks shows them: running, every check alive. */
  async function healthyCount(): Promise<number> {
    const tasks = await appTasks(master, APP_ID);
    return tasks.filter(
      (t) =>
        t.state === 'TASK_RUNNING' &&
        (t.healthCheckResults as Json[] | undefined)?.length === 1 &&
        (t.healthCheckResults as Json[]).every((r) => r.alive === true),
    ).length;
  }

  it('moves every task to the other agent without going below minimumHealthCapacity, and records the end', async () => {
    agents.push(
      await startAgent({ masterUrl: master.url, hostname: 'host-a', resources: 'cpus:2;mem:1024;ports:[31500-31599]' }),
    );
    const created = await master.http.post('/v2/apps', {
      id: APP_ID,
      cmd: SERVE_SANDBOX_CMD,
      instances: INSTANCES,
      cpus: 0.05,
      mem: 16,
      backoffSeconds: 1,
      healthChecks: [ALIVE_HTTP_CHECK],
      upgradeStrategy: STRATEGY,
    });
    expect(created.status).toBe(201);
    await waitForSettled(master, APP_ID, INSTANCES, { healthy: true, onTimeout: logs });
    // Only then the second agent: every task runs on host-a.
    agents.push(
      await startAgent({ masterUrl: master.url, hostname: 'host-b', resources: 'cpus:2;mem:1024;ports:[32500-32599]' }),
    );
    const [a, b] = agents.map((agent) => agent.agentId()!);
    expect((await appTasks(master, APP_ID)).map((t) => t.slaveId)).toEqual([a, a, a]);
    await waitFor(
      async () => {
        const listed = (await master.http.get('/v1/agents')).body.agents as Json[];
        return listed.length === 2 && listed.every((x) => x.connected === true) ? listed : undefined;
      },
      { describe: 'both agents registered and connected', onTimeout: logs },
    );

    // Errors first, in Marathon's shape: an unknown agent, a bad body.
    const unknown = await master.http.post('/v1/agents/no-such-agent/drain', {});
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toBe("Agent 'no-such-agent' does not exist");
    expect((await master.http.post(`/v1/agents/${a}/drain`, { deadlineSeconds: -1 })).status).toBe(422);
    expect((await master.http.post(`/v1/agents/${a}/drain`, { deadline: 5 })).status).toBe(422);
    expect((await master.http.post(`/v1/agents/${a}/drain`, { deadlineSeconds: 1e20 })).status).toBe(422);

    // Poll the healthy count all along, from before the drain to its end.
    const start = await endOffset(master);
    const samples: number[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        samples.push(await healthyCount());
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();

    const drained = await cli(['agents', 'drain', 'host-a', '--deadline', '300'], { env: master.cliEnv() });
    expect({ code: drained.code, stderr: drained.stderr }).toEqual({ code: 0, stderr: '' });
    expect(drained.stdout).toMatch(
      new RegExp(
        `^Agent ${a} is DRAINING: deployment \\S+ moves its tasks; what remains is killed at \\S+Z, log offset \\d+\\.\\n$`,
      ),
    );

    // Again while it moves tasks: its own deployment locks the app (409, Marathon's lock message).
    // (The deployment cannot be over yet: a replacement needs seconds to start and pass its check.)
    const again = await master.http.post(`/v1/agents/${a}/drain`, {});
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/App is locked by one or more deployments/);

    const view = await waitFor(
      async () => {
        const listed = (await master.http.get('/v1/agents')).body.agents as Json[];
        const agentA = listed.find((x) => x.agentId === a);
        return agentA?.drain?.state === 'DRAINED' ? listed : undefined;
      },
      { timeoutMs: 60_000, describe: 'host-a DRAINED in /v1/agents', onTimeout: logs },
    );
    polling = false;
    await poller;

    // The floor held throughout: sampled from outside, and exactly, from the log's kills.
    expect(samples.length).toBeGreaterThan(5);
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(MIN_HEALTHY);
    const fold = await foldRollingRestart(master, APP_ID, start);
    expect(fold.deploymentKills).toBe(INSTANCES);
    expect(fold.minHealthyAfterKill).toBeGreaterThanOrEqual(MIN_HEALTHY);
    expect(fold.maxNonTerminalAfterLaunch).toBeLessThanOrEqual(INSTANCES);

    // Every task now runs on host-b, healthy; the deployment is over.
    const settled = await waitForSettled(master, APP_ID, INSTANCES, { healthy: true, onTimeout: logs });
    expect(settled.instances).toBe(INSTANCES);
    expect((await appTasks(master, APP_ID)).map((t) => t.slaveId)).toEqual([b, b, b]);
    const agentView = view.find((x) => x.agentId === a)!;
    expect(agentView).toMatchObject({ tasks: 0, drain: { state: 'DRAINED', deadline: expect.any(String) } });
    expect(view.find((x) => x.agentId === b)).toMatchObject({ tasks: INSTANCES, drain: null });

    // The log: the start, the deployment it names, no launch on host-a after it, and the end.
    const events = (await allEvents(master)).filter((e) => e.offset >= start);
    const started = events.filter((e) => e.type === 'AgentDrainStarted');
    expect(started.map((e) => e.data)).toEqual([
      { agentId: a, deadline: expect.any(String), deploymentIds: [expect.any(String)] },
    ]);
    const deploymentId = started[0].data.deploymentIds[0];
    expect(events.some((e) => e.type === 'DeploymentFinished' && e.data.deploymentId === deploymentId)).toBe(true);
    expect(events.filter((e) => e.type === 'TaskLaunched').map((e) => e.data.agentId)).toEqual([b, b, b]);
    const end = events.filter((e) => e.type === 'AgentDrained');
    expect(end.map((e) => e.data)).toEqual([{ agentId: a }]);
    expect(end[0].causationId).toBe(started[0].id);

    // Drained and empty: draining again changes nothing.
    const repeat = await master.http.post(`/v1/agents/${a}/drain`, { deadlineSeconds: 5 });
    expect(repeat.status).toBe(202);
    expect(repeat.body).toMatchObject({ agentId: a, drain: { state: 'DRAINED' }, deployments: [] });
    expect(repeat.headers['x-cairn-offset']).toBeUndefined();

    // `cairn agents` shows it; reactivation puts the agent back into placement.
    const listed = await cli(['agents'], { env: master.cliEnv() });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/host-a\s+ACTIVE\s+DRAINED/);
    const reactivated = await master.http.post(`/v1/agents/${a}/reactivate`, {});
    expect(reactivated.status).toBe(200);
    expect(reactivated.body).toEqual({ agentId: a, drain: null, changed: true });
    const after = (await master.http.get('/v1/agents')).body.agents as Json[];
    expect(after.find((x) => x.agentId === a)?.drain).toBeNull();
    expect((await allEvents(master, ['AgentReactivated'])).map((e) => e.data)).toEqual([{ agentId: a }]);
  });
  it('at the deadline, what could not move is killed and the drain ends; reactivated, the agent runs it again', async () => {
    // Pinned to host-a: its replacement fits nowhere else, so only the deadline ends the drain.
    const id = '/drain/pinned';
    const [a] = agents.map((agent) => agent.agentId()!);
    const created = await master.http.post('/v2/apps', {
      id,
      cmd: 'exec sleep 300',
      instances: 1,
      cpus: 0.05,
      mem: 16,
      constraints: [['hostname', 'LIKE', 'host-a']],
    });
    expect(created.status).toBe(201);
    await waitForSettled(master, id, 1, { onTimeout: logs });
    const [pinned] = await appTasks(master, id);
    expect(pinned.slaveId).toBe(a);

    const start = await endOffset(master);
    const drain = await master.http.post(`/v1/agents/${a}/drain`, { deadlineSeconds: 2 });
    expect(drain.status).toBe(202);
    expect(drain.body).toMatchObject({ agentId: a, drain: { state: 'DRAINING' }, deployments: [expect.any(String)] });
    expect(drain.headers['marathon-deployment-id']).toBe(drain.body.deployments[0]);
    await waitFor(
      async () => {
        const listed = (await master.http.get('/v1/agents')).body.agents as Json[];
        return listed.find((x) => x.agentId === a)?.drain?.state === 'DRAINED' ? true : undefined;
      },
      { timeoutMs: 30_000, describe: 'host-a DRAINED after its deadline', onTimeout: logs },
    );
    const events = (await allEvents(master)).filter((e) => e.offset >= start);
    const kill = events.find((e) => e.type === 'TaskKillRequested' && e.data.taskId === pinned.id);
    expect(kill?.data.reason).toMatch(/^agent drain deadline \S+ passed$/);
    expect(kill?.causationId).toBe(events.find((e) => e.type === 'AgentDrainStarted')?.id);
    expect(events.filter((e) => e.type === 'AgentDrained').map((e) => e.data)).toEqual([{ agentId: a }]);
    // The app waits for room: its deployment is still in progress, and the queue shows it.
    const queue = (await master.http.get('/v2/queue')).body.queue as Json[];
    expect(queue.find((q) => q.app.id === id)).toMatchObject({ count: 1 });

    expect((await master.http.post(`/v1/agents/${a}/reactivate`, {})).status).toBe(200);
    await waitForSettled(master, id, 1, { onTimeout: logs });
    expect((await appTasks(master, id)).map((t) => t.slaveId)).toEqual([a]);
  });
});
