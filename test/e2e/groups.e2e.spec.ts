import {
  AgentHandle,
  allEvents,
  ALIVE_HTTP_CHECK,
  cli,
  describeEachBackend,
  EventView,
  getApp,
  Json,
  MasterHandle,
  marathonValidationProblems,
  offlineReplay,
  SERVE_SANDBOX_CMD,
  startAgent,
  startMaster,
  stateHash,
  TEST_MASTER_AGENT_ENV,
  waitFor,
  waitForNoDeployment,
  waitForSettled,
} from '../harness';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../harness';

jest.setTimeout(180_000);

const SLEEP = { cmd: 'sleep 1000', cpus: 0.05, mem: 16 };
/** A web server that answers its health check only after 3 s: its dependants must wait for that. */
const SLOW_DB = {
  cmd: `sleep 3 && ${SERVE_SANDBOX_CMD}`,
  cpus: 0.05,
  mem: 16,
  instances: 1,
  healthChecks: [ALIVE_HTTP_CHECK],
};

/** Marathon's group dependencies, end to end: real tasks, the order read back from the log. */
describeEachBackend('groups', (backend) => {
  let master: MasterHandle;
  let agent: AgentHandle;

  beforeAll(async () => {
    master = await startMaster({ backend, env: TEST_MASTER_AGENT_ENV });
    agent = await startAgent({
      masterUrl: master.url,
      hostname: 'node-1',
      resources: 'cpus:8;mem:8192;ports:[31400-31499]',
    });
  });

  afterAll(async () => {
    await agent?.killTasksAndStop();
    await master?.stop();
  });

  it('starts an app only after the group it depends on is healthy, in one deployment', async () => {
    const created = await master.http.post('/v2/groups', {
      id: '/shop',
      groups: [
        { id: 'db', apps: [{ id: 'pg', ...SLOW_DB }] },
        // A relative dependency: the sibling group /shop/db, so every app within it.
        { id: 'web', dependencies: ['db'], apps: [{ id: 'api', ...SLEEP, instances: 2 }] },
      ],
    });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe('/v2/groups/shop');
    expect(created.body).toEqual({ deploymentId: expect.any(String), version: expect.any(String) });

    await waitForSettled(master, '/shop/web/api', 2, { timeoutMs: 60_000, onTimeout: () => agent.describeLogs() });
    const events = await allEvents(master);
    const offsetOf = (match: (e: EventView) => boolean, what: string) => {
      const found = events.find(match);
      if (!found) throw new Error(`no event: ${what}`);
      return found.offset;
    };
    const dbHealthy = offsetOf(
      (e) => e.type === 'TaskHealthChanged' && String(e.data.taskId).startsWith('shop_db_pg.') && e.data.alive === true,
      'the database task healthy',
    );
    const firstApiLaunch = offsetOf(
      (e) => e.type === 'TaskLaunched' && e.data.appId === '/shop/web/api',
      'an api task launched',
    );
    expect(firstApiLaunch).toBeGreaterThan(dbHealthy);
    // One deployment for the whole group, its steps in dependency order.
    const started = events.filter(
      (e) => e.type === 'DeploymentStarted' && e.correlationId === created.body.deploymentId,
    );
    expect(started).toHaveLength(1);
    const order = (started[0]!.data.steps as Json[]).flatMap((s) =>
      (s.actions as Json[]).filter((a) => a.action === 'ScaleApplication').map((a) => a.app),
    );
    expect(order.lastIndexOf('/shop/db/pg')).toBeLessThan(order.indexOf('/shop/web/api'));
    expect(events.filter((e) => e.type === 'GroupCreated').map((e) => (e.data.group as Json).id)).toEqual([
      '/shop',
      '/shop/db',
      '/shop/web',
    ]);
  });

  it("GET shows Marathon's tree, embeds tasks when asked, and 404s an unknown group", async () => {
    const root = await master.http.get('/v2/groups');
    expect(root.status).toBe(200);
    expect(Object.keys(root.body).sort()).toEqual(['apps', 'dependencies', 'groups', 'id', 'pods', 'version']);
    const shop = root.body.groups.find((g: Json) => g.id === '/shop');
    expect(shop.groups.map((g: Json) => [g.id, g.dependencies])).toEqual([
      ['/shop/db', []],
      ['/shop/web', ['/shop/db']],
    ]);
    // Without group.apps.tasks, an app is its definition only (no tasks, no counts).
    expect(shop.groups[1].apps[0].tasks).toBeUndefined();

    const withTasks = await master.http.get('/v2/groups/shop/web?embed=group.apps.tasks&embed=group.apps.counts');
    expect(withTasks.body.apps[0].tasks).toHaveLength(2);
    expect(withTasks.body.apps[0].tasksRunning).toBe(2);
    expect(withTasks.body.groups).toBeUndefined(); // not asked for

    const missing = await master.http.get('/v2/groups/nope');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ message: "Group '/nope' does not exist" });
  });

  it('scales by a factor, lists versions, and reverts to an earlier version', async () => {
    const [before] = (await master.http.get('/v2/groups/shop/versions')).body as string[];
    const scaled = await master.http.put('/v2/groups/shop?force=true', { scaleBy: 1.5 });
    expect(scaled.status).toBe(200);
    await waitForSettled(master, '/shop/web/api', 3, { timeoutMs: 60_000 });
    expect((await getApp(master, '/shop/db/pg')).instances).toBe(2); // 1 × 1.5, rounded up
    const versions = (await master.http.get('/v2/groups/shop/versions')).body as string[];
    expect(versions).toEqual([scaled.body.version, before]);

    // The group as it was, read back from the log.
    const old = await master.http.get(`/v2/groups/shop/versions/${encodeURIComponent(before!)}`);
    expect(old.status).toBe(200);
    expect(old.body.groups[1].apps[0].instances).toBe(2);

    const reverted = await master.http.put('/v2/groups/shop?force=true', { version: before });
    expect(reverted.status).toBe(200);
    await waitForSettled(master, '/shop/web/api', 2, { timeoutMs: 60_000 });
    expect((await getApp(master, '/shop/db/pg')).instances).toBe(1);
    await waitForNoDeployment(master);
  });

  it('refuses bad group bodies with Marathon 422s and an existing group with 409, writing nothing', async () => {
    const end = (await master.http.get('/v1/info')).body.endOffset;
    const conflict = await master.http.post('/v2/groups', { id: '/shop' });
    expect(conflict.status).toBe(409);
    expect(conflict.body.message).toBe('Group /shop is already created. Use PUT to change this group.');

    const invalid = await master.http.post('/v2/groups', {
      id: '/q',
      apps: [{ id: '/elsewhere/x', ...SLEEP }],
      pods: [{ id: 'p' }],
      scaleBy: 2,
    });
    expect(invalid.status).toBe(422);
    expect(marathonValidationProblems(invalid.body)).toEqual([]);
    const badApp = await master.http.put('/v2/groups/q', { apps: [{ id: 'x', cpus: 'lots', cmd: 'true' }] });
    expect(badApp.status).toBe(422);
    expect(badApp.body.details.map((d: Json) => d.path)).toEqual(['/apps(0)/cpus']);
    expect((await master.http.get('/v1/info')).body.endOffset).toBe(end);
  });

  it('PUT removes what its lists leave out; DELETE removes the rest; a replay folds the same state', async () => {
    const put = await master.http.put('/v2/groups/shop?force=true', {
      groups: [{ id: 'db', apps: [{ id: 'pg', ...SLOW_DB }] }],
    });
    expect(put.status).toBe(200);
    // The app is gone at once; its tasks end as the deployment stops them.
    const apiTasks = async () =>
      ((await master.http.get('/v2/tasks')).body.tasks as Json[]).filter((t) => t.appId === '/shop/web/api');
    await waitFor(async () => ((await apiTasks()).length === 0 ? true : undefined), {
      timeoutMs: 30_000,
      describe: 'the api tasks killed',
    });
    expect((await master.http.get('/v2/groups/shop/web')).status).toBe(404);

    const cliDeleted = await cli(['groups', 'delete', '/shop', '--force'], { env: master.cliEnv() });
    expect(cliDeleted.code).toBe(0);
    expect(cliDeleted.stdout).toMatch(/^Deleting group \/shop: deployment /);
    await waitForNoDeployment(master);
    expect((await master.http.get('/v2/apps')).body.apps).toEqual([]);
    expect((await master.http.get('/v2/groups')).body.groups).toEqual([]);
    // A deleted group has no version to go back to.
    const revertGone = await master.http.put('/v2/groups/shop', { version: '2026-01-01T00:00:00.000Z' });
    expect(revertGone.status).toBe(404);

    const live = await stateHash(master);
    const replayed = await offlineReplay(master);
    expect(replayed.hash).toBe(live.hash);
  });

  it('cairn groups apply creates a group from a file and lists it', async () => {
    const dir = tempDir('groups-cli');
    const file = join(dir, 'tools.json');
    writeFileSync(file, JSON.stringify({ id: '/tools', apps: [{ id: 'cron', ...SLEEP, instances: 0 }] }));
    const applied = await cli(['groups', 'apply', file], { env: master.cliEnv() });
    expect(applied.code).toBe(0);
    const listed = await cli(['groups'], { env: master.cliEnv() });
    expect(listed.stdout).toMatch(/\n {2}\/tools +1 +0 +- +\S+\n/);
  });
});
