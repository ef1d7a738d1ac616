import {
  AgentHandle,
  allEvents,
  appTasks,
  getApp,
  Json,
  MasterHandle,
  startAgent,
  startMaster,
  TEST_MASTER_AGENT_ENV,
  waitFor,
  waitForNoDeployment,
} from '../harness';

jest.setTimeout(120_000);

/**
 * The rest of Marathon's app and task API, as real clients call it: PATCH, bulk PUT/PATCH,
 * task kills with scale/wipe/host, POST /v2/tasks/delete, GET /v2/tasks?status, the queue's
 * delay reset, and the request quirks Marathon accepts. REST semantics do not depend on the log
 * backend, so one backend (the file log) is enough here; the Kafka backend runs the other suites.
 */
const SLEEP = { cmd: 'sleep 3600', cpus: 0.01, mem: 8, backoffSeconds: 1 };
const JSON_HEADERS = { 'content-type': 'application/json' };

describe('Marathon /v2 API: writes, task kills and request quirks', () => {
  let master: MasterHandle;
  let agent: AgentHandle;

  beforeAll(async () => {
    master = await startMaster({ backend: 'file', env: TEST_MASTER_AGENT_ENV });
    agent = await startAgent({
      masterUrl: master.url,
      hostname: 'node-1',
      resources: 'cpus:4;mem:4096;ports:[31400-31499]',
    });
  });

  afterAll(async () => {
    await agent?.killTasksAndStop();
    await master?.stop();
  });

  async function runningTasks(appId: string, count: number): Promise<Json[]> {
    return waitFor(
      async () => {
        const tasks = (await appTasks(master, appId)).filter((t: Json) => t.state === 'TASK_RUNNING');
        return tasks.length === count ? tasks : undefined;
      },
      { timeoutMs: 30_000, describe: `${count} running tasks of ${appId}` },
    );
  }

  async function createRunning(id: string, instances: number): Promise<Json[]> {
    const created = await master.http.post('/v2/apps', { id, instances, ...SLEEP });
    expect(created.status).toBe(201);
    const tasks = await runningTasks(id, instances);
    await waitForNoDeployment(master);
    return tasks;
  }

  it('takes an empty body with a JSON content type as no body (DELETE, POST /restart, GET)', async () => {
    await createRunning('/quirks/empty', 1);
    const get = await master.http.get('/v2/apps/quirks/empty', { headers: JSON_HEADERS, raw: '' });
    expect(get.status).toBe(200);
    const restart = await master.http.request('POST', '/v2/apps/quirks/empty/restart', undefined, {
      headers: JSON_HEADERS,
      raw: '',
    });
    expect(restart.status).toBe(200);
    expect(restart.body).toEqual({ deploymentId: expect.any(String), version: expect.any(String) });
    const removed = await master.http.request('DELETE', '/v2/apps/quirks/empty?force=True', undefined, {
      headers: JSON_HEADERS,
      raw: '',
    });
    expect(removed.status).toBe(200);
    // A route that needs a body still refuses an empty one, in Marathon's words.
    const empty = await master.http.post('/v2/apps', undefined, { headers: JSON_HEADERS, raw: '' });
    expect(empty.status).toBe(400);
    expect(empty.body.message).toBe('Please specify data in JSON format');
  });

  it('answers the same with and without the quirks: nulls, a leading // in the path, True', async () => {
    const plain = await master.http.post('/v2/apps', { id: '/quirks/plain', ...SLEEP, instances: 0 });
    const quirky = await master.http.post('/v2/apps', {
      id: '/quirks/quirky',
      ...SLEEP,
      instances: 0,
      env: null,
      labels: null,
      constraints: null,
    });
    expect(plain.status).toBe(201);
    expect(quirky.status).toBe(201);
    // Each app gets its own service port; everything else must be the same.
    const shape = (app: Json) => ({
      ...app,
      id: undefined,
      version: undefined,
      versionInfo: undefined,
      portDefinitions: app.portDefinitions.map((p: Json) => ({ ...p, port: undefined })),
    });
    expect(shape(quirky.body)).toEqual(shape(plain.body));

    const viaSlashes = await master.http.get('/v2/apps//quirks/plain');
    const direct = await master.http.get('/v2/apps/quirks/plain');
    expect(viaSlashes.status).toBe(200);
    expect(viaSlashes.body).toEqual(direct.body);

    const scaledTrue = await master.http.put('/v2/apps/quirks/plain?force=True', { instances: 0, cpus: 0.02 });
    const scaledTrueLower = await master.http.put('/v2/apps/quirks/quirky?force=true', { instances: 0, cpus: 0.02 });
    expect(scaledTrue.status).toBe(200);
    expect(scaledTrueLower.status).toBe(200);
  });

  it('accepts unknown top-level app fields, stores none of them, and names them in X-Cairn-Ignored-Fields', async () => {
    const res = await master.http.post('/v2/apps', {
      id: '/quirks/unknown',
      ...SLEEP,
      instances: 0,
      healthcheck: [{ protocol: 'HTTP' }],
      'x-team': 'ops',
    });
    expect(res.status).toBe(201);
    expect(res.headers['x-cairn-ignored-fields']).toBe('healthcheck,x-team');
    const app = await getApp(master, '/quirks/unknown');
    expect(app).not.toHaveProperty('healthcheck');
    expect(app).not.toHaveProperty('x-team');
    const clean = await master.http.put('/v2/apps/quirks/unknown', { instances: 0, cpus: 0.03 });
    expect(clean.headers['x-cairn-ignored-fields']).toBeUndefined();
  });

  it('PATCH /v2/apps/{id} changes an existing app (the body id is ignored) and never creates one', async () => {
    await createRunning('/patch/web', 1);
    const patched = await master.http.request('PATCH', '/v2/apps/patch/web', { id: '/elsewhere', instances: 2 });
    expect(patched.status).toBe(200);
    expect(patched.headers['marathon-deployment-id']).toBe(patched.body.deploymentId);
    await runningTasks('/patch/web', 2);
    expect((await master.http.get('/v2/apps/elsewhere')).status).toBe(404);

    const missing = await master.http.request('PATCH', '/v2/apps/patch/nope', { instances: 2 });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ message: "App '/patch/nope' does not exist" });
    expect((await master.http.get('/v2/apps/patch/nope')).status).toBe(404);
  });

  it('PUT /v2/apps changes many apps in ONE deployment, an app after what it depends on', async () => {
    await createRunning('/bulk/web', 1);
    const res = await master.http.put('/v2/apps', [
      { id: '/bulk/web', dependencies: ['/bulk/db'] },
      { id: '/bulk/db', ...SLEEP, instances: 1 },
    ]);
    expect(res.status).toBe(200);
    const deployment = (await master.http.get('/v2/deployments')).body.find(
      (d: Json) => d.id === res.body.deploymentId,
    );
    if (deployment) {
      const order: string[] = deployment.steps.flatMap((s: Json) => s.actions.map((a: Json) => a.app));
      expect(order.indexOf('/bulk/db')).toBeLessThan(order.lastIndexOf('/bulk/web'));
      expect([...deployment.affectedApps].sort()).toEqual(['/bulk/db', '/bulk/web']);
    }
    await runningTasks('/bulk/db', 1);
    await waitForNoDeployment(master);
    expect((await getApp(master, '/bulk/web')).dependencies).toEqual(['/bulk/db']);

    // PATCH /v2/apps: every app must exist, and nothing is written when one does not.
    const before = (await getApp(master, '/bulk/db')).version;
    const refused = await master.http.request('PATCH', '/v2/apps', [
      { id: '/bulk/db', cpus: 0.02 },
      { id: '/bulk/nope', cpus: 0.02 },
    ]);
    expect(refused.status).toBe(404);
    expect((await getApp(master, '/bulk/db')).version).toBe(before);
  });

  it('kills one task: replaced without scale, the app shrinks with scale', async () => {
    const [first, second] = await createRunning('/kill/one', 2);
    const killed = await master.http.delete(`/v2/apps/kill/one/tasks/${first.id}`, { headers: JSON_HEADERS });
    expect(killed.status).toBe(200);
    expect(killed.body.task).toMatchObject({ id: first.id, appId: '/kill/one' });
    // Replaced: two running again, the killed one gone.
    await waitFor(
      async () => {
        const tasks = await runningTasks('/kill/one', 2);
        return tasks.every((t) => t.id !== first.id) ? tasks : undefined;
      },
      { timeoutMs: 30_000, describe: 'the killed task replaced' },
    );

    const scaled = await master.http.delete(`/v2/apps/kill/one/tasks/${second.id}?scale=true`);
    expect(scaled.status).toBe(200);
    expect(scaled.body).toEqual({ deploymentId: expect.any(String), version: expect.any(String) });
    await runningTasks('/kill/one', 1);
    expect((await getApp(master, '/kill/one')).instances).toBe(1);

    const unknown = await master.http.delete('/v2/apps/kill/one/tasks/kill_one.nope');
    expect(unknown.status).toBe(404);
    const both = await master.http.delete(`/v2/apps/kill/one/tasks?scale=true&wipe=true`);
    expect(both.status).toBe(400);
    expect(both.body.message).toBe('You cannot use scale and wipe at the same time.');
  });

  it('kills the tasks on a host only, and every task of the app with scale', async () => {
    await createRunning('/kill/many', 2);
    const elsewhere = await master.http.delete('/v2/apps/kill/many/tasks?host=node-2');
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.body).toEqual({ tasks: [] });
    const all = await master.http.delete('/v2/apps/kill/many/tasks?host=node-1&scale=True');
    expect(all.status).toBe(200);
    await waitFor(async () => (await appTasks(master, '/kill/many')).length === 0, {
      timeoutMs: 30_000,
      describe: 'no task of /kill/many',
    });
    expect((await getApp(master, '/kill/many')).instances).toBe(0);
  });

  it('POST /v2/tasks/delete kills by id across apps; GET /v2/tasks?status selects running or staging', async () => {
    const [a] = await createRunning('/tasks/a', 1);
    const [b] = await createRunning('/tasks/b', 1);
    const running = await master.http.get('/v2/tasks?status=running');
    expect(running.body.tasks.map((t: Json) => t.id)).toEqual(expect.arrayContaining([a.id, b.id]));
    expect(running.body.tasks.every((t: Json) => t.state === 'TASK_RUNNING')).toBe(true);
    const staging = await master.http.get('/v2/tasks?status[]=staging');
    expect(staging.body.tasks.every((t: Json) => t.state === 'TASK_STAGING' || t.state === 'TASK_STARTING')).toBe(true);

    const res = await master.http.post('/v2/tasks/delete?scale=true', { ids: [a.id, b.id, 'no_such.task'] });
    expect(res.status).toBe(200);
    expect(res.body.deploymentId).toEqual(expect.any(String));
    await waitFor(
      async () => (await appTasks(master, '/tasks/a')).length + (await appTasks(master, '/tasks/b')).length === 0,
      {
        timeoutMs: 30_000,
        describe: 'both tasks killed',
      },
    );
    expect((await getApp(master, '/tasks/a')).instances).toBe(0);
    expect((await getApp(master, '/tasks/b')).instances).toBe(0);
    const bad = await master.http.post('/v2/tasks/delete', { ids: 'x' });
    expect(bad.status).toBe(422);
  });

  it('DELETE /v2/queue/{id}/delay clears a failing app’s backoff (204), 404 when nothing waits', async () => {
    const failing = await master.http.post('/v2/apps', {
      id: '/queue/failing',
      cmd: 'exit 1',
      cpus: 0.01,
      mem: 8,
      backoffSeconds: 3600,
      maxLaunchDelaySeconds: 3600,
    });
    expect(failing.status).toBe(201);
    // It failed once and now waits an hour.
    const queued = await waitFor(
      async () => {
        const queue = (await master.http.get('/v2/queue')).body.queue as Json[];
        const item = queue.find((q) => q.app.id === '/queue/failing');
        return item && item.delay.timeLeftSeconds > 60 ? item : undefined;
      },
      { timeoutMs: 30_000, describe: 'the failing app delayed' },
    );
    expect(queued.delay.overdue).toBe(false);
    const launches = async () =>
      (await allEvents(master, ['TaskLaunched'])).filter((e) => e.data.appId === '/queue/failing').length;
    const launchedBefore = await launches();

    const reset = await master.http.delete('/v2/queue/queue/failing/delay', { headers: JSON_HEADERS });
    expect(reset.status).toBe(204);
    // Launched again at once (and it fails again, so it waits again).
    await waitFor(async () => (await launches()) > launchedBefore, {
      timeoutMs: 30_000,
      describe: 'a new launch after the reset',
    });
    await master.http.delete('/v2/apps/queue/failing');

    const notQueued = await master.http.delete('/v2/queue/bulk/db/delay');
    expect(notQueued.status).toBe(404);
    expect(notQueued.body).toEqual({ message: 'Application /bulk/db not found in tasks queue.' });
  });

  it('refuses DELETE /v2/leader plainly: there is no standby to take over', async () => {
    const res = await master.http.delete('/v2/leader');
    expect(res.status).toBe(409);
    expect(res.body.message).toMatch(/without standby masters/);
    expect((await master.http.get('/v2/leader')).status).toBe(200);
  });
});
