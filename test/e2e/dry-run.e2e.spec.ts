import {
  AgentHandle,
  cli,
  endOffset,
  EventView,
  Json,
  MasterHandle,
  sleep,
  startAgent,
  startMaster,
  TEST_MASTER_AGENT_ENV,
  waitFor,
  waitForSettled,
} from '../harness';

jest.setTimeout(120_000);

const APP_ID = '/e2e/dry';
const HOSTS = ['host-a', 'host-b'] as const;

/**
 * `?dryRun=true` against a real master (file log) and two real agents: the dry run of a write
 * returns the events the real write then appends (same types in the same order, the same plan,
 * the same agents for the launches, the same kill targets; ids differ), and appends nothing.
 */
describe('dry run: ?dryRun=true and cairn plan', () => {
  let master: MasterHandle;
  const agents: AgentHandle[] = [];
  const logs = () => agents.map((a) => a.describeLogs()).join('\n');

  beforeAll(async () => {
    master = await startMaster({ backend: 'file', env: TEST_MASTER_AGENT_ENV });
    for (const [i, hostname] of HOSTS.entries()) {
      const first = 31000 + i * 1000;
      agents.push(
        await startAgent({
          masterUrl: master.url,
          hostname,
          resources: `cpus:2;mem:1024;ports:[${first}-${first + 9}]`,
        }),
      );
    }
    await waitFor(async () => ((await master.http.get('/v1/agents')).body.agents.length === 2 ? true : undefined), {
      describe: 'both agents registered',
      onTimeout: logs,
    });
    const created = await master.http.post('/v2/apps', {
      id: APP_ID,
      cmd: 'exec sleep 300',
      instances: 1,
      cpus: 0.5,
      mem: 32,
    });
    expect(created.status).toBe(201);
    await waitForSettled(master, APP_ID, 1, { onTimeout: logs });
  });

  afterAll(async () => {
    for (const agent of agents) await agent.killTasksAndStop();
    await master?.stop();
  });

  /** The log's end once nothing more is being written (the running tasks' reports are in). */
  async function quietEnd(): Promise<number> {
    let last = -1;
    return waitFor(
      async () => {
        const end = await endOffset(master);
        const settled = end === last;
        last = end;
        if (settled) return end;
        await sleep(300);
        return undefined;
      },
      { describe: 'the log to stop growing' },
    );
  }

  /** A dry run, checked to append nothing: the end offset is the same right after and a moment later. */
  async function dryRun(method: string, path: string, body?: unknown): Promise<Json> {
    const end = await quietEnd();
    const separator = path.includes('?') ? '&' : '?';
    const answer = await master.http.request(method, `${path}${separator}dryRun=true`, body);
    expect({ status: answer.status, dryRun: answer.body.dryRun }).toEqual({ status: 200, dryRun: true });
    expect(answer.headers['x-cairn-offset']).toBeUndefined();
    expect(answer.headers['marathon-deployment-id']).toBeUndefined();
    expect(answer.body.decidedAtOffset).toBe(end - 1);
    expect(await endOffset(master)).toBe(end);
    await sleep(500); // nothing was set in motion either (no tick woken by it)
    expect(await endOffset(master)).toBe(end);
    return answer.body;
  }

  /** The events appended from `from` on, as many as the dry run showed. */
  async function appendedFrom(from: number, count: number): Promise<EventView[]> {
    return waitFor(
      async () => {
        const page = await master.http.get(`/v1/events?from=${from}&limit=${count}`);
        return page.body.events.length >= count ? (page.body.events as EventView[]) : undefined;
      },
      { describe: `${count} events appended from offset ${from}`, onTimeout: logs },
    );
  }

  /** What must match between the dry run and the real write: everything but ids and times. */
  function comparable(events: readonly Json[]) {
    return events.map((e) => {
      switch (e.type) {
        case 'DeploymentStarted':
          return {
            type: e.type,
            steps: e.data.steps,
            affectedApps: e.data.affectedApps,
            target: timeless(e.data.target),
          };
        case 'TaskLaunched':
          return { type: e.type, appId: e.data.appId, agentId: e.data.agentId, host: e.data.host };
        case 'TaskKillRequested':
          return { type: e.type, taskId: e.data.taskId, agentId: e.data.agentId, reason: e.data.reason };
        case 'AppScaled':
          return { type: e.type, appId: e.data.appId, instances: e.data.instances };
        case 'AppUpdated':
          return { type: e.type, env: e.data.app.env, instances: e.data.app.instances };
        default:
          return { type: e.type };
      }
    });
  }

  async function compareWithRealWrite(plan: Json, method: string, path: string, body?: unknown): Promise<EventView[]> {
    const from = await endOffset(master);
    const real = await master.http.request(method, path, body);
    expect(real.status).toBe(200);
    const appended = await appendedFrom(from, plan.events.length);
    expect(comparable(appended)).toEqual(comparable(plan.events));
    // Each event carries the envelope the log holds, without an offset.
    for (const event of plan.events) {
      expect(Object.keys(event).sort()).toEqual([
        'actor',
        'at',
        'causationId',
        'correlationId',
        'data',
        'id',
        'type',
        'v',
      ]);
    }
    return appended;
  }

  it('a scale 1 -> 3: the same plan and launches on the same agents as the real write', async () => {
    const plan = await dryRun('PUT', `/v2/apps${APP_ID}`, { instances: 3 });
    expect(plan.deployment.steps).toEqual([{ actions: [{ action: 'ScaleApplication', app: APP_ID }] }]);
    expect(plan.decisions.map((d: Json) => d.command)).toEqual(['UpdateApp', 'Tick']);
    expect(plan.placements).toHaveLength(2);
    expect(plan.kills).toEqual([]);
    const appended = await compareWithRealWrite(plan, 'PUT', `/v2/apps${APP_ID}`, { instances: 3 });
    const launchedOn = appended.filter((e) => e.type === 'TaskLaunched').map((e) => e.data.agentId);
    expect(launchedOn).toEqual(plan.placements.map((p: Json) => p.agentId));
    await waitForSettled(master, APP_ID, 3, { onTimeout: logs });
  });

  it('a spec change (a new env var): the same rolling restart plan and first launches', async () => {
    const change = { env: { COLOR: 'blue' } };
    const plan = await dryRun('PUT', `/v2/apps${APP_ID}`, change);
    expect(plan.events[0].type).toBe('AppUpdated');
    expect(plan.deployment.steps).toEqual([{ actions: [{ action: 'RestartApplication', app: APP_ID }] }]);
    expect(plan.notes.join(' ')).toMatch(/Only the first scheduler tick/);
    await compareWithRealWrite(plan, 'PUT', `/v2/apps${APP_ID}`, change);
    await waitForSettled(master, APP_ID, 3, { onTimeout: logs });
  });

  it('a scale down 3 -> 1: the same kill targets', async () => {
    const plan = await dryRun('PUT', `/v2/apps${APP_ID}`, { instances: 1 });
    expect(plan.kills).toHaveLength(2);
    const appended = await compareWithRealWrite(plan, 'PUT', `/v2/apps${APP_ID}`, { instances: 1 });
    const killed = appended.filter((e) => e.type === 'TaskKillRequested').map((e) => e.data.taskId);
    expect(killed).toEqual(plan.kills.map((k: Json) => k.taskId));
    await waitForSettled(master, APP_ID, 1, { onTimeout: logs });
  });

  it('cairn plan prints the same plan in words and as JSON, and writes nothing', async () => {
    const end = await quietEnd();
    const words = await cli(['plan', '--scale', APP_ID, '2'], { env: master.cliEnv() });
    expect({ code: words.code, stderr: words.stderr }).toEqual({ code: 0, stderr: '' });
    expect(words.stdout).toContain(`Dry run on the state at log offset ${end - 1}: nothing was written.`);
    expect(words.stdout).toContain('The write (UpdateApp) would append: AppScaled, DeploymentStarted.');
    expect(words.stdout).toContain(`  1. ScaleApplication ${APP_ID}`);
    expect(words.stdout).toMatch(/ {2}launch \S+ on \S+ \(host-[ab]\), ports \d+/);
    const json = await cli(['plan', '--restart', APP_ID, '--json'], { env: master.cliEnv() });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).deployment.steps).toEqual([
      { actions: [{ action: 'RestartApplication', app: APP_ID }] },
    ]);
    expect(await endOffset(master)).toBe(end);
  });

  it('an app that fits nowhere: the dry run says why; then a locked app is refused (409) as the real write is', async () => {
    const nowhere = {
      id: '/e2e/nowhere',
      cmd: 'exec sleep 300',
      instances: 1,
      cpus: 0.1,
      mem: 16,
      constraints: [['hostname', 'LIKE', 'host-z']],
    };
    const plan = await dryRun('POST', '/v2/apps', nowhere);
    expect(plan.placements).toEqual([]);
    expect(plan.declined.map((d: Json) => d.host).sort()).toEqual([...HOSTS]);
    for (const d of plan.declined) expect(d.reasons['/e2e/nowhere'][0].reason).toBe('UnfulfilledConstraint');
    expect((await master.http.post('/v2/apps', nowhere)).status).toBe(201);

    const end = await quietEnd();
    const dry = await master.http.put('/v2/apps/e2e/nowhere?dryRun=true', { instances: 2 });
    const real = await master.http.put('/v2/apps/e2e/nowhere', { instances: 2 });
    expect(dry.status).toBe(409);
    expect(dry.body).toEqual(real.body);
    expect(await endOffset(master)).toBe(end);
    const invalid = await master.http.put('/v2/apps/e2e/nowhere?dryRun=true&force=true', { instances: -1 });
    expect(invalid.status).toBe(422);
    expect(await endOffset(master)).toBe(end);
  });
});

/** The plan's target definitions without their times (the dry run and the write are decided a moment apart). */
function timeless(target: Json): Json {
  return Object.fromEntries(
    Object.entries(target as Record<string, Json>).map(([id, app]) => {
      if (app === null) return [id, null];
      const { version: _version, versionInfo: _versionInfo, ...rest } = app;
      return [id, rest];
    }),
  );
}
