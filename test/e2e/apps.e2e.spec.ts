import { describeEachBackend, Json, MasterHandle, requireWriteOffset, startMaster, writeOffset } from '../harness';

// Real processes (and on kafka, transactions): far above jest's 5 s default.
jest.setTimeout(60_000);

const ISO_TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

describeEachBackend('Marathon /v2/apps', (backend) => {
  let master: MasterHandle;

  beforeAll(async () => {
    master = await startMaster({ backend });
  }, 120_000);

  afterAll(async () => {
    await master?.stop();
  });

  it('answers /ping, /v2/info (Marathon keys only), /v1/info (naming the backend) and /v2/leader', async () => {
    const ping = await master.http.get('/ping');
    expect(ping.status).toBe(200);
    expect(ping.text).toBe('pong');

    const info = await master.http.get('/v2/info');
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({
      name: 'cairn',
      elected: true,
      version: expect.any(String),
      leader: expect.stringMatching(/^[^:]+:\d+$/),
      frameworkId: expect.any(String),
      // marathon-python parses all three config objects unconditionally: each must be there.
      marathon_config: expect.any(Object),
      zookeeper_config: expect.any(Object),
      http_config: { http_port: master.port },
    });
    // Cairn's own figures moved to /v1/info: an unknown key breaks marathon-python's get_info().
    expect(info.body).not.toHaveProperty('cairn');

    const cairnInfo = await master.http.get('/v1/info');
    expect(cairnInfo.status).toBe(200);
    expect(cairnInfo.body).toMatchObject({
      logBackend: backend,
      cluster: master.cluster,
      appliedOffset: expect.any(Number),
      endOffset: expect.any(Number),
    });

    const leader = await master.http.get('/v2/leader');
    expect(leader.status).toBe(200);
    expect(leader.body).toEqual({ leader: info.body.leader });
  });

  it('creates an app with Marathon defaults filled, a version, and unknown fields ignored', async () => {
    const res = await master.http.post('/v2/apps', {
      id: '/defaults/minimal',
      cmd: 'sleep 3600',
      'x-unknown': { kept: ['as', 'is'] },
    });
    expect(res.status).toBe(201);
    expect(res.headers['x-cairn-ignored-fields']).toBe('x-unknown');
    requireWriteOffset(res);
    expect(res.headers.location).toContain('/defaults/minimal');

    const app = res.body;
    expect(app).toMatchObject({
      id: '/defaults/minimal',
      cmd: 'sleep 3600',
      cpus: 1,
      mem: 128,
      disk: 0,
      gpus: 0,
      instances: 1,
      env: {},
      labels: {},
      constraints: [],
      healthChecks: [],
      // port 0 asks for a service port: the first free one of Marathon's range [10000, 20000).
      portDefinitions: [{ port: 10000, protocol: 'tcp', name: 'default' }],
      requirePorts: false,
      backoffSeconds: 1,
      backoffFactor: 1.15,
      maxLaunchDelaySeconds: 300,
      upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: 1 },
      killSelection: 'YOUNGEST_FIRST',
      tasksStaged: 0,
      tasksRunning: 0,
      tasksHealthy: 0,
      tasksUnhealthy: 0,
      // No agent runs it yet: its deployment (named in Marathon's header) is still in progress.
      deployments: [{ id: res.headers['marathon-deployment-id'] }],
      tasks: [],
    });
    expect(res.headers['marathon-deployment-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(app.version).toMatch(ISO_TIMESTAMP);
    expect(app.versionInfo).toEqual({ lastScalingAt: app.version, lastConfigChangeAt: app.version });
    expect(app).not.toHaveProperty('args');
    // /v2 speaks Marathon 1.6's field set: strict clients (marathon-python) reject any other key.
    expect(app).not.toHaveProperty('x-unknown');

    const one = await master.http.get('/v2/apps/defaults/minimal');
    expect(one.status).toBe(200);
    expect(one.body).toEqual({ app });

    // The list embeds tasks only when asked (Marathon's default: counts and deployments).
    const list = await master.http.get('/v2/apps');
    expect(list.status).toBe(200);
    const { tasks: _tasks, ...withoutTasks } = app;
    expect(list.body.apps).toContainEqual(withoutTasks);
    const withTasks = await master.http.get('/v2/apps?embed=apps.tasks');
    expect(withTasks.body.apps).toContainEqual(app);
  });

  it('ignores a version or versionInfo sent by the client', async () => {
    const res = await master.http.post('/v2/apps', {
      id: '/defaults/client-version',
      cmd: 'sleep 1',
      version: '2001-01-01T00:00:00.000Z',
      versionInfo: { lastScalingAt: '2001-01-01T00:00:00.000Z', lastConfigChangeAt: '2001-01-01T00:00:00.000Z' },
    });
    expect(res.status).toBe(201);
    expect(res.body.version).not.toBe('2001-01-01T00:00:00.000Z');
    expect(res.body.versionInfo.lastConfigChangeAt).toBe(res.body.version);
  });

  it('serves nested ids with and without the leading slash', async () => {
    const created = await master.http.post('/v2/apps', { id: '/prod/web', cmd: 'sleep 3600', instances: 2 });
    expect(created.status).toBe(201);

    const withoutSlash = await master.http.get('/v2/apps/prod/web');
    const withSlash = await master.http.get('/v2/apps//prod/web');
    expect(withoutSlash.status).toBe(200);
    expect(withoutSlash.body.app.id).toBe('/prod/web');
    expect(withSlash.status).toBe(200);
    expect(withSlash.body).toEqual(withoutSlash.body);
    expect(withoutSlash.body.app).toEqual(created.body);

    // A group path that is not an app is not an app.
    const group = await master.http.get('/v2/apps/prod');
    expect(group.status).toBe(404);
  });

  it('resolves a relative id in a POST body against the root', async () => {
    const res = await master.http.post('/v2/apps', { id: 'relative/app', cmd: 'sleep 1' });
    expect(res.status).toBe(201);
    expect(res.body.id).toBe('/relative/app');
    expect((await master.http.get('/v2/apps/relative/app')).status).toBe(200);
  });

  it('treats a PUT of only instances as a scale: the version moves, lastConfigChangeAt stays', async () => {
    const created = await master.http.post('/v2/apps', {
      id: '/scale/me',
      cmd: 'sleep 3600',
      env: { KEEP: 'me' },
      labels: { team: 'a' },
    });
    expect(created.status).toBe(201);
    const before = created.body;

    // The app's first deployment waits for an agent: only a forced change may replace it.
    const put = await master.http.put('/v2/apps/scale/me?force=true', { instances: 3 });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ deploymentId: expect.any(String), version: expect.stringMatching(ISO_TIMESTAMP) });
    expect(requireWriteOffset(put)).toBeGreaterThan(requireWriteOffset(created));

    const after = (await master.http.get('/v2/apps/scale/me')).body.app;
    expect(after.instances).toBe(3);
    expect(after.version).toBe(put.body.version);
    expect(after.version).not.toBe(before.version);
    expect(after.versionInfo).toEqual({
      lastConfigChangeAt: before.versionInfo.lastConfigChangeAt,
      lastScalingAt: after.version,
    });
    // Everything else is untouched.
    expect(after.deployments).toEqual([{ id: put.body.deploymentId }]);
    const { instances: _i, version: _v, versionInfo: _vi, deployments: _d, ...restAfter } = after;
    const { instances: _bi, version: _bv, versionInfo: _bvi, deployments: _bd, ...restBefore } = before;
    expect(restAfter).toEqual(restBefore);
  });

  it('merges a partial PUT that changes the config, and moves lastConfigChangeAt', async () => {
    const created = await master.http.post('/v2/apps', {
      id: '/partial/merge',
      cmd: 'sleep 1',
      env: { A: '1' },
      mem: 64,
    });
    expect(created.status).toBe(201);

    const put = await master.http.put('/v2/apps/partial/merge?partialUpdate=true&force=true', { cmd: 'sleep 2' });
    expect(put.status).toBe(200);
    const after = (await master.http.get('/v2/apps/partial/merge')).body.app;
    expect(after).toMatchObject({ cmd: 'sleep 2', env: { A: '1' }, mem: 64 });
    expect(after.version).toBe(put.body.version);
    expect(after.versionInfo).toEqual({ lastConfigChangeAt: after.version, lastScalingAt: after.version });
    expect(after.version > created.body.version).toBe(true);
  });

  it('replaces the app on PUT with partialUpdate=false (defaults filled again)', async () => {
    const created = await master.http.post('/v2/apps', {
      id: '/replace/me',
      cmd: 'sleep 1',
      env: { GONE: 'soon' },
      labels: { gone: 'soon' },
      mem: 256,
      instances: 4,
    });
    expect(created.status).toBe(201);

    const put = await master.http.put('/v2/apps/replace/me?partialUpdate=false&force=true', {
      cmd: 'sleep 2',
      instances: 2,
    });
    expect(put.status).toBe(200);
    const after = (await master.http.get('/v2/apps/replace/me')).body.app;
    expect(after).toMatchObject({ id: '/replace/me', cmd: 'sleep 2', instances: 2, env: {}, labels: {}, mem: 128 });
    expect(after.versionInfo.lastConfigChangeAt).toBe(after.version);
  });

  it('creates the app on a PUT to an unknown id: 201 and the app', async () => {
    const put = await master.http.put('/v2/apps/put/created', { cmd: 'sleep 3600', instances: 2 });
    expect(put.status).toBe(201);
    requireWriteOffset(put);
    expect(put.body).toMatchObject({ id: '/put/created', cmd: 'sleep 3600', instances: 2, cpus: 1, mem: 128 });
    const got = await master.http.get('/v2/apps/put/created');
    expect(got.body.app).toEqual(put.body);
  });

  it('a PUT that changes nothing writes nothing', async () => {
    const created = await master.http.post('/v2/apps', { id: '/noop/put', cmd: 'sleep 1', instances: 2 });
    expect(created.status).toBe(201);
    const infoBefore = await master.info();

    const put = await master.http.put('/v2/apps/noop/put', { instances: 2 });
    expect(put.status).toBe(200);
    expect(writeOffset(put)).toBeUndefined();
    const infoAfter = await master.info();
    expect(infoAfter.endOffset).toBe(infoBefore.endOffset);
    expect((await master.http.get('/v2/apps/noop/put')).body.app).toEqual(created.body);
  });

  it('deletes an app: 200 with a deployment, then 404 on GET and on a second DELETE', async () => {
    const created = await master.http.post('/v2/apps', { id: '/delete/me', cmd: 'sleep 1' });
    expect(created.status).toBe(201);

    const del = await master.http.delete('/v2/apps/delete/me');
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ deploymentId: expect.any(String), version: expect.stringMatching(ISO_TIMESTAMP) });
    expect(requireWriteOffset(del)).toBeGreaterThan(requireWriteOffset(created));

    const gone = await master.http.get('/v2/apps/delete/me');
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ message: "App '/delete/me' does not exist" });
    const again = await master.http.delete('/v2/apps/delete/me');
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ message: "App '/delete/me' does not exist" });
    expect(writeOffset(again)).toBeUndefined();
    expect((await master.http.get('/v2/apps')).body.apps.map((a: { id: string }) => a.id)).not.toContain('/delete/me');
  });

  it('refuses a duplicate POST with 409 and Marathon message, writing nothing', async () => {
    const first = await master.http.post('/v2/apps', { id: '/dup/app', cmd: 'sleep 1' });
    expect(first.status).toBe(201);
    const endBefore = (await master.info()).endOffset;

    const second = await master.http.post('/v2/apps', { id: '/dup/app', cmd: 'sleep 2' });
    expect(second.status).toBe(409);
    expect(second.body).toEqual({ message: 'An app with id [/dup/app] already exists.' });
    expect(writeOffset(second)).toBeUndefined();
    expect((await master.info()).endOffset).toBe(endBefore);
    expect((await master.http.get('/v2/apps/dup/app')).body.app.cmd).toBe('sleep 1');
  });

  it('gives every write an X-Cairn-Offset that grows, and applies it before answering', async () => {
    const writes = [
      () => master.http.post('/v2/apps', { id: '/offsets/a', cmd: 'sleep 1' }),
      () => master.http.post('/v2/apps', { id: '/offsets/b', cmd: 'sleep 1' }),
      () => master.http.put('/v2/apps/offsets/a?force=true', { instances: 5 }),
      () => master.http.put('/v2/apps/offsets/b?force=true', { cmd: 'sleep 2' }),
      () => master.http.put('/v2/apps/offsets/c', { cmd: 'sleep 3' }),
      () => master.http.delete('/v2/apps/offsets/a'),
    ];
    const offsets: number[] = [];
    for (const write of writes) {
      const res = await write();
      expect([200, 201]).toContain(res.status);
      const offset = requireWriteOffset(res);
      offsets.push(offset);
      // "Writes answer once the events are durable and applied."
      const info = await master.info();
      expect(info.appliedOffset).toBeGreaterThanOrEqual(offset);
      expect(info.endOffset).toBeGreaterThan(offset);
    }
    for (let i = 1; i < offsets.length; i++) {
      expect(offsets[i]).toBeGreaterThan(offsets[i - 1]);
    }
    const hash = await master.http.get('/v1/state/hash');
    expect(hash.status).toBe(200);
    expect(hash.body).toEqual({ hash: expect.stringMatching(/^[0-9a-f]{64}$/), offset: expect.any(Number) });
    expect(hash.body.offset).toBeGreaterThanOrEqual(offsets[offsets.length - 1]);
  });

  it('answers each of concurrent scales with the version that scale wrote', async () => {
    const SCALES = 10;
    expect((await master.http.post('/v2/apps', { id: '/concurrent/scale', cmd: 'sleep 1' })).status).toBe(201);
    const start = (await master.info()).endOffset;
    const replies = await Promise.all(
      Array.from({ length: SCALES }, (_, i) =>
        master.http.put('/v2/apps/concurrent/scale?force=true', { instances: i + 2 }),
      ),
    );
    const events = (await master.http.get(`/v1/events?from=${start}&limit=100`)).body.events;
    const versionByInstances = new Map<number, string>(
      events.filter((e: Json) => e.type === 'AppScaled').map((e: Json) => [e.data.instances, e.data.lastScalingAt]),
    );
    expect(versionByInstances.size).toBe(SCALES);
    const mismatched = replies
      .map((res, i) => ({ instances: i + 2, replied: res.body.version, wrote: versionByInstances.get(i + 2) }))
      .filter((r) => r.replied !== r.wrote);
    expect(mismatched).toEqual([]);
  });

  it('lists apps as { apps: [...] }, each once and, with the same embeds, equal to its GET', async () => {
    for (const id of ['/list/one', '/list/two', '/list/nested/three']) {
      expect((await master.http.post('/v2/apps', { id, cmd: 'sleep 1' })).status).toBe(201);
    }
    // GET /v2/apps/{id} always embeds tasks and lastTaskFailure; the list only when asked.
    const list = await master.http.get('/v2/apps?embed=apps.tasks&embed=apps.lastTaskFailure');
    expect(list.status).toBe(200);
    const ids: string[] = list.body.apps.map((a: { id: string }) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['/list/one', '/list/two', '/list/nested/three']));
    for (const app of list.body.apps) {
      const one = await master.http.get(`/v2/apps${app.id}`);
      expect(one.status).toBe(200);
      expect(one.body.app).toEqual(app);
    }
  });
  it('filters GET /v2/apps by label selectors; a malformed selector is a 400 { message }', async () => {
    const apps = [
      { id: '/labels/web', labels: { tier: 'web', team: 'a' } },
      { id: '/labels/db', labels: { tier: 'db', team: 'a' } },
      { id: '/labels/none', labels: {} },
    ];
    for (const app of apps) {
      expect((await master.http.post('/v2/apps', { ...app, cmd: 'sleep 1', instances: 0 })).status).toBe(201);
    }
    const ids = async (selector: string) => {
      const res = await master.http.get(`/v2/apps?id=/labels/&label=${encodeURIComponent(selector)}`);
      expect(res.status).toBe(200);
      return res.body.apps.map((a: Json) => a.id).sort();
    };
    expect(await ids('tier')).toEqual(['/labels/db', '/labels/web']);
    expect(await ids('tier==web')).toEqual(['/labels/web']);
    expect(await ids('tier!=web')).toEqual(['/labels/db']);
    expect(await ids('tier in (db, cache)')).toEqual(['/labels/db']);
    expect(await ids('team==a,tier notin (db)')).toEqual(['/labels/web']);

    const bad = await master.http.get(`/v2/apps?label=${encodeURIComponent('tier in (web')}`);
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ message: expect.stringContaining('label selector') });
  });

  it('embeds on request: tasks and taskStats on the list, counts and deployments always', async () => {
    expect((await master.http.post('/v2/apps', { id: '/embed/one', cmd: 'sleep 1', instances: 0 })).status).toBe(201);
    const plain = (await master.http.get('/v2/apps?id=/embed/one')).body.apps[0];
    expect(plain).toMatchObject({ tasksRunning: 0, deployments: expect.any(Array) });
    expect(plain).not.toHaveProperty('tasks');
    expect(plain).not.toHaveProperty('taskStats');
    const embedded = (await master.http.get('/v2/apps?id=/embed/one&embed=apps.tasks&embed=apps.taskStats')).body
      .apps[0];
    expect(embedded).toMatchObject({ tasks: [], taskStats: {} });
    const single = (await master.http.get('/v2/apps/embed/one?embed=app.readiness')).body.app;
    expect(single).toMatchObject({ tasks: [], readinessCheckResults: [], tasksStaged: 0 });
  });
});
