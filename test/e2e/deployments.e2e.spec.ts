import {
  AgentHandle,
  allEvents,
  appTasks,
  describeEachBackend,
  endOffset,
  foldRollingRestart,
  getApp,
  Json,
  MasterHandle,
  offlineReplay,
  startAgent,
  startRackAgents,
  startMaster,
  startTcpForwarder,
  stateHash,
  TcpForwarder,
  TEST_MASTER_AGENT_ENV,
  waitFor,
  ALIVE_HTTP_CHECK,
  SERVE_SANDBOX_CMD,
  waitForSettled,
} from '../harness';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

jest.setTimeout(180_000);

/** Real tasks with health checks: python's http.server on $PORT0, checked on `/alive` every second. */
const SERVE = SERVE_SANDBOX_CMD;
const HTTP_CHECK = ALIVE_HTTP_CHECK;

function webApp(id: string, fields: Record<string, unknown> = {}) {
  return {
    id,
    cmd: SERVE,
    instances: 1,
    cpus: 0.05,
    mem: 16,
    backoffSeconds: 1,
    healthChecks: [HTTP_CHECK],
    ...fields,
  };
}

describeEachBackend('deployments and health checks', (backend) => {
  let master: MasterHandle;
  let agent: AgentHandle;
  let forwarder: TcpForwarder;
  const logs = () => `${agent?.describeLogs() ?? ''}`;

  beforeAll(async () => {
    master = await startMaster({ backend, env: TEST_MASTER_AGENT_ENV });
    // A restarted MasterHandle listens on a new port: the agent knows the master by a fixed address.
    forwarder = await startTcpForwarder(() => master.port);
    agent = await startAgent({
      masterUrl: forwarder.url,
      hostname: 'node-1',
      resources: 'cpus:8;mem:8192;ports:[31200-31399]',
    });
  });

  afterAll(async () => {
    await agent?.killTasksAndStop();
    await master?.stop();
    await forwarder?.close();
  });

  it.each([
    [1, 1],
    [0.5, 0],
    [1, 0],
  ])(
    'a rolling restart of 5 healthy instances with upgradeStrategy %s/%s keeps minHealthy and maxCapacity',
    async (minimumHealthCapacity, maximumOverCapacity) => {
      const id = `/roll/s${String(minimumHealthCapacity).replace('.', '')}-${maximumOverCapacity}`;
      const upgradeStrategy = { minimumHealthCapacity, maximumOverCapacity };
      expect((await master.http.post('/v2/apps', webApp(id, { instances: 5, upgradeStrategy }))).status).toBe(201);
      const v1 = await waitForSettled(master, id, 5, { healthy: true, onTimeout: logs });

      const start = await endOffset(master);
      const put = await master.http.put(`/v2/apps${id}`, { cmd: `${SERVE} # v2` });
      expect(put.status).toBe(200);
      expect(put.headers['marathon-deployment-id']).toBe(put.body.deploymentId);
      const listed = (await master.http.get('/v2/deployments')).body as Json[];
      const mine = listed.find((d) => d.id === put.body.deploymentId);
      // (It may already be past its first step, but not finished: no new task is healthy this fast.)
      expect(mine).toMatchObject({
        affectedApps: [id],
        steps: [{ actions: [{ action: 'RestartApplication', app: id }] }],
        totalSteps: 1,
      });

      const v2 = await waitForSettled(master, id, 5, { healthy: true, onTimeout: logs });
      expect(v2.cmd).toBe(`${SERVE} # v2`);
      const tasks = await appTasks(master, id);
      expect(tasks.every((t) => t.version === v2.version)).toBe(true);
      expect(tasks.every((t) => (t.healthCheckResults as Json[])[0]?.alive === true)).toBe(true);

      const n = 5;
      const minHealthy = Math.ceil(n * minimumHealthCapacity);
      const maxCapacity = Math.floor(n * (1 + maximumOverCapacity));
      const fold = await foldRollingRestart(master, id, start);
      expect(fold.deploymentKills).toBe(n);
      expect(fold.minHealthyAfterKill).toBeGreaterThanOrEqual(minHealthy);
      expect(fold.maxNonTerminalAfterLaunch).toBeLessThanOrEqual(
        minHealthy === maxCapacity ? maxCapacity + 1 : maxCapacity,
      );
      // Every instance launched once for the new version, none again for the old.
      expect(fold.launchesByVersion.get(v2.version)).toBe(n);
      expect(fold.launchesByVersion.get(v1.version)).toBeUndefined();
      const finished = await allEvents(master, ['DeploymentFinished']);
      expect(finished.map((e) => e.data.deploymentId)).toContain(put.body.deploymentId);
    },
  );

  it('PUT {version} rolls back to a stored version: the previous cmd runs again', async () => {
    const id = '/roll/back';
    expect((await master.http.post('/v2/apps', webApp(id, { instances: 2 }))).status).toBe(201);
    const v1 = await waitForSettled(master, id, 2, { healthy: true, onTimeout: logs });
    expect((await master.http.put(`/v2/apps${id}`, { cmd: `${SERVE} # v2` })).status).toBe(200);
    await waitForSettled(master, id, 2, { healthy: true, onTimeout: logs });

    const versions = (await master.http.get(`/v2/apps${id}/versions`)).body.versions as string[];
    expect(versions).toContain(v1.version);
    const stored = await master.http.get(`/v2/apps${id}/versions/${v1.version}`);
    expect(stored.status).toBe(200);
    expect(stored.body.cmd).toBe(SERVE);

    const rollback = await master.http.put(`/v2/apps${id}`, { version: v1.version });
    expect(rollback.status).toBe(200);
    const back = await waitForSettled(master, id, 2, { healthy: true, onTimeout: logs });
    expect(back.cmd).toBe(SERVE);
    expect(back.version > v1.version).toBe(true); // a rollback is a new version of the old spec
    expect((await master.http.get(`/v2/apps${id}/versions/1999-01-01T00:00:00.000Z`)).status).toBe(404);
  });

  it('a task whose health check starts failing is killed and replaced, and the events say why', async () => {
    const id = '/health/fails';
    expect((await master.http.post('/v2/apps', webApp(id))).status).toBe(201);
    await waitForSettled(master, id, 1, { healthy: true, onTimeout: logs });
    const [task] = await appTasks(master, id);
    const sandbox = agent.sandboxTasks().find((s) => s.taskId === task.id);
    expect(sandbox).toBeDefined();
    rmSync(join(sandbox!.sandboxDir, 'www', 'alive')); // the server now answers 404

    await waitFor(
      async () => {
        const tasks = await appTasks(master, id);
        return tasks.length === 1 && tasks[0].id !== task.id && tasks[0].state === 'TASK_RUNNING' ? tasks : undefined;
      },
      { timeoutMs: 60_000, describe: 'a replacement of the unhealthy task', onTimeout: logs },
    );
    const events = (await allEvents(master)).filter((e) => e.data.taskId === task.id);
    const health = events.filter((e) => e.type === 'TaskHealthChanged').map((e) => e.data);
    expect(health[0]).toMatchObject({ alive: true, consecutiveFailures: 0 });
    expect(health.at(-1)).toMatchObject({ alive: false, consecutiveFailures: 3 });
    expect(health.at(-1)!.lastFailureCause).toMatch(/404/);
    const kill = events.find((e) => e.type === 'TaskKillRequested');
    expect(kill?.data.reason).toMatch(/health check 0 \(HTTP\) failed 3 times in a row/);
    // As in Marathon, a kill for failed health counts toward the app's backoff.
    const delays = (await allEvents(master, ['LaunchDelayed'])).filter((e) => e.data.appId === id);
    expect(delays.length).toBeGreaterThanOrEqual(1);
  });

  it('a deployment whose new version never becomes healthy stays visible with its reason, and rolls back', async () => {
    const id = '/never/healthy';
    expect((await master.http.post('/v2/apps', webApp(id))).status).toBe(201);
    await waitForSettled(master, id, 1, { healthy: true, onTimeout: logs });

    // The new version serves nothing; maxConsecutiveFailures 0: never killed, never healthy.
    const put = await master.http.put(`/v2/apps${id}`, {
      cmd: 'exec sleep 300',
      healthChecks: [{ ...HTTP_CHECK, maxConsecutiveFailures: 0, gracePeriodSeconds: 1 }],
    });
    expect(put.status).toBe(200);
    const deploymentId = put.body.deploymentId as string;
    const detail = await waitFor(
      async () => {
        const res = await master.http.get(`/v1/deployments/${deploymentId}`);
        const waiting = res.body.progress?.[0]?.waitingFor as string | undefined;
        return res.status === 200 && waiting?.startsWith('0 of 1 new tasks healthy') ? res.body : undefined;
      },
      { timeoutMs: 30_000, describe: 'the deployment waiting on an unhealthy task', onTimeout: logs },
    );
    expect(detail.request).toMatchObject({ actor: 'anonymous', method: 'PUT', path: `/v2/apps${id}` });
    expect(((await master.http.get('/v2/deployments')).body as Json[]).map((d) => d.id)).toContain(deploymentId);
    // A second change is refused while it runs: 409 naming it.
    const locked = await master.http.put(`/v2/apps${id}`, { instances: 2 });
    expect(locked.status).toBe(409);
    expect(locked.body).toEqual({
      message: expect.stringContaining('App is locked by one or more deployments'),
      deployments: [{ id: deploymentId }],
    });

    const rollback = await master.http.delete(`/v2/deployments/${deploymentId}`);
    expect(rollback.status).toBe(200);
    expect(rollback.body.deploymentId).not.toBe(deploymentId);
    const back = await waitForSettled(master, id, 1, { healthy: true, onTimeout: logs });
    expect(back.cmd).toBe(SERVE);
    const cancelled = (await allEvents(master, ['DeploymentCancelled'])).find(
      (e) => e.data.deploymentId === deploymentId,
    );
    expect(cancelled?.data).toMatchObject({ reason: 'rolled back', by: rollback.body.deploymentId });
  });

  it("every event names its cause: an earlier event, the recorded command, or nothing at a chain's start", async () => {
    const events = await allEvents(master);
    const seen = new Set<string>();
    // A user command is recorded by the deployment it started, under the command's id.
    const commands = new Set(events.filter((e) => e.type === 'DeploymentStarted').map((e) => e.data.deploymentId));
    const ROOTS = [
      'LeaderElected',
      'ClusterVersionRaised',
      'SnapshotWritten',
      'AgentRegistered',
      'AgentReregistered',
      'AgentDisconnected',
      'AgentUnreachable',
      'DeploymentStarted',
    ];
    const orphans: string[] = [];
    for (const e of events as ((typeof events)[number] & { id: string; causationId: string | null })[]) {
      const ok =
        e.causationId === null ? ROOTS.includes(e.type) : seen.has(e.causationId) || commands.has(e.causationId);
      if (!ok) orphans.push(`${e.offset} ${e.type} caused by ${e.causationId}`);
      seen.add(e.id);
    }
    expect(orphans).toEqual([]);

    // One task's chain, back to the request that caused it.
    const byId = new Map<string, Json>(events.map((e) => [e.id, e]));
    const launch = [...events].reverse().find((e) => e.type === 'TaskLaunched' && e.data.appId === '/roll/s1-1')!;
    const chain: string[] = [];
    let at: Json | undefined = launch;
    while (at && at.causationId) {
      chain.push(at.type);
      at = byId.get(at.causationId);
    }
    expect(chain).toEqual(['TaskLaunched']);
    expect(at?.type).toBe('DeploymentStarted');
    expect(at?.data.request).toEqual({
      actor: 'anonymous',
      remoteAddress: '127.0.0.1',
      method: 'PUT',
      path: '/v2/apps/roll/s1-1',
      requestId: expect.any(String),
    });
    expect(launch.correlationId).toBe(at?.data.deploymentId);
  });

  it('the master is SIGKILLed in the middle of a rolling restart: it completes after a restart, nothing launched twice', async () => {
    const id = '/roll/crash';
    const upgradeStrategy = { minimumHealthCapacity: 1, maximumOverCapacity: 0 }; // one at a time
    expect((await master.http.post('/v2/apps', webApp(id, { instances: 4, upgradeStrategy }))).status).toBe(201);
    const v1 = await waitForSettled(master, id, 4, { healthy: true, onTimeout: logs });
    const start = await endOffset(master);
    const put = await master.http.put(`/v2/apps${id}`, { cmd: `${SERVE} # v2` });
    expect(put.status).toBe(200);
    // Wait until the restart is under way: a new task healthy, old ones still there.
    await waitFor(
      async () => {
        const tasks = await appTasks(master, id);
        const fresh = tasks.filter((t) => t.version > v1.version && (t.healthCheckResults as Json[])[0]?.alive);
        return fresh.length >= 1 && tasks.some((t) => t.version === v1.version) ? tasks : undefined;
      },
      { timeoutMs: 30_000, describe: 'the restart under way', onTimeout: logs },
    );
    await master.restart({ signal: 'SIGKILL' });

    const v2 = await waitForSettled(master, id, 4, { healthy: true, onTimeout: logs });
    const fold = await foldRollingRestart(master, id, start);
    expect(fold.launchesByVersion.get(v2.version)).toBe(4);
    expect(fold.minHealthyAfterKill).toBeGreaterThanOrEqual(4);
    const { hash } = await stateHash(master);
    const replay = await offlineReplay(master);
    expect(replay.hash).toBe(hash);
  });
});

describeEachBackend('placement constraints', (backend) => {
  let master: MasterHandle;
  const agents: AgentHandle[] = [];

  beforeAll(async () => {
    master = await startMaster({ backend, env: TEST_MASTER_AGENT_ENV });
    agents.push(...(await startRackAgents(master.url, ['r1', 'r2'], { hostPrefix: 'host', firstPort: 31500 })));
  });

  afterAll(async () => {
    for (const agent of agents) await agent.killTasksAndStop();
    await master?.stop();
  });

  const hostsOf = async (id: string) => (await appTasks(master, id)).map((t) => t.host).sort();

  it('UNIQUE hostname with 2 agents and 3 instances places 2 and explains the third', async () => {
    const id = '/constraints/unique';
    const app = { id, cmd: 'exec sleep 300', instances: 3, cpus: 0.05, mem: 16, constraints: [['hostname', 'UNIQUE']] };
    expect((await master.http.post('/v2/apps', app)).status).toBe(201);
    const queued = await waitFor(
      async () => {
        const queue = (await master.http.get('/v2/queue')).body.queue as Json[];
        const item = queue.find((q) => q.app.id === id);
        const running = (await appTasks(master, id)).filter((t) => t.state === 'TASK_RUNNING');
        const reasons = item?.processedOffersSummary?.rejectSummaryLastOffers as Json[] | undefined;
        const unfulfilled = reasons?.find((r) => r.reason === 'UnfulfilledConstraint');
        return running.length === 2 && unfulfilled?.declined > 0 ? item : undefined;
      },
      { timeoutMs: 30_000, describe: 'two tasks and a queue item declined for UnfulfilledConstraint' },
    );
    expect(queued.count).toBe(1);
    expect(await hostsOf(id)).toEqual(['host-1', 'host-2']);
    // The deployment that waits on it says so too.
    const app2 = await getApp(master, id);
    const [deployment] = app2!.deployments as Json[];
    const detail = (await master.http.get(`/v1/deployments/${deployment.id}`)).body;
    expect(detail.progress[0].queueReasons.map((r: Json) => r.reason)).toContain('UnfulfilledConstraint');

    // It can be rolled back: the app did not exist before it, so the rollback removes it.
    const rollback = await master.http.delete(`/v2/deployments/${deployment.id}`);
    expect(rollback.status).toBe(200);
    const tasksLeft = async () =>
      ((await master.http.get('/v2/tasks')).body.tasks as Json[]).filter((t) => t.appId === id).length;
    await waitFor(
      async () =>
        (await master.http.get(`/v2/apps${id}`)).status === 404 && (await tasksLeft()) === 0 ? true : undefined,
      { timeoutMs: 30_000, describe: 'the rolled-back app gone, and its tasks' },
    );

    // The rollback's own deployment ends on the tick after its last task ends: wait for that tick.
    const deploymentsOn = async () =>
      ((await master.http.get('/v2/deployments')).body as Json[]).filter((d) =>
        (d.affectedApps as string[]).includes(id),
      );
    await waitFor(async () => ((await deploymentsOn()).length === 0 ? true : undefined), {
      timeoutMs: 10_000,
      describe: 'no deployment left on the rolled-back app',
    });
  });

  it('GROUP_BY rack spreads evenly, also on scale-down; MAX_PER caps each rack', async () => {
    const id = '/constraints/groupby';
    const app = { id, cmd: 'exec sleep 300', instances: 4, cpus: 0.05, mem: 16, constraints: [['rack', 'GROUP_BY']] };
    expect((await master.http.post('/v2/apps', app)).status).toBe(201);
    await waitForSettled(master, id, 4);
    expect(await hostsOf(id)).toEqual(['host-1', 'host-1', 'host-2', 'host-2']);
    expect((await master.http.put(`/v2/apps${id}`, { instances: 2 })).status).toBe(200);
    await waitForSettled(master, id, 2);
    expect(await hostsOf(id)).toEqual(['host-1', 'host-2']);

    const capped = '/constraints/maxper';
    const body = {
      id: capped,
      cmd: 'exec sleep 300',
      instances: 3,
      cpus: 0.05,
      mem: 16,
      constraints: [['rack', 'MAX_PER', '1']],
    };
    expect((await master.http.post('/v2/apps', body)).status).toBe(201);
    await waitFor(
      async () =>
        (await appTasks(master, capped)).filter((t) => t.state === 'TASK_RUNNING').length === 2 ? true : undefined,
      {
        timeoutMs: 30_000,
        describe: 'two MAX_PER tasks',
      },
    );
    expect(await hostsOf(capped)).toEqual(['host-1', 'host-2']);
  });
});
