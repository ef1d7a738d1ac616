import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  AgentHandle,
  appTasks,
  cli,
  describeEachBackend,
  MasterHandle,
  startRackAgents,
  startMaster,
  TEST_MASTER_AGENT_ENV,
  tempDir,
  waitFor,
} from '../harness';
import type { Json } from '../harness';

// Starting a master and two agents (on Kafka too) takes seconds: far past jest's 5 s default under load.
jest.setTimeout(120_000);

const APP = '/replay/web';

/**
 * Replay as a tool, from outside: the state at an offset equals the live state captured when that
 * offset was current (also after the master restarts), `why` names the request, the offer, the
 * agent and the agents passed over for a task placed under a constraint, and the commands that read
 * the log itself give the master's answers with no master involved.
 */
describeEachBackend('replay as a tool', (backend) => {
  let master: MasterHandle;
  const agents: AgentHandle[] = [];

  beforeAll(async () => {
    master = await startMaster({ backend, env: TEST_MASTER_AGENT_ENV });
    agents.push(...(await startRackAgents(master.url, ['r1', 'r2'], { hostPrefix: 'replay-host', firstPort: 32200 })));
  });

  afterAll(async () => {
    for (const agent of agents) await agent.killTasksAndStop();
    await master?.stop();
  });

  /**
   * The CLI reading the log directly, with CAIRN_MASTER pointing nowhere so no master can answer:
   * on the file log, a plain copy of the data dir taken now (docs/replay.md); on Kafka, the topic.
   */
  const offline = (args: string[]) => {
    const env = master.cliEnv();
    let source: string[];
    if (backend === 'file') {
      const copy = tempDir('replay-copy');
      cpSync(join(env.CAIRN_DATA_DIR, 'log'), join(copy, 'log'), { recursive: true });
      const snapshots = join(env.CAIRN_DATA_DIR, 'snapshots');
      if (existsSync(snapshots)) cpSync(snapshots, join(copy, 'snapshots'), { recursive: true });
      source = ['--data-dir', copy];
    } else {
      source = ['--brokers', env.KAFKA_BROKERS, '--cluster', env.CAIRN_CLUSTER];
    }
    return cli([...args, ...source], { env: { ...env, CAIRN_MASTER: 'http://127.0.0.1:9' }, timeoutMs: 60_000 });
  };
  const running = async (count: number) =>
    waitFor(
      async () => {
        const tasks = (await appTasks(master, APP)).filter((t) => t.state === 'TASK_RUNNING');
        return tasks.length === count ? tasks : undefined;
      },
      { timeoutMs: 30_000, describe: `${count} running tasks of ${APP}` },
    );
  const liveHash = async () => (await master.http.get('/v1/state/hash')).body as { hash: string; offset: number };

  it('rebuilds past states equal to the live ones, explains a constrained placement, and answers the same offline', async () => {
    const app = {
      id: APP,
      cmd: 'exec sleep 300',
      instances: 1,
      cpus: 0.05,
      mem: 16,
      constraints: [['rack', 'CLUSTER', 'r2']],
    };
    expect((await master.http.post('/v2/apps', app)).status).toBe(201);
    const [first] = await running(1);
    await waitFor(async () => ((await master.http.get('/v2/deployments')).body as Json[]).length === 0 || undefined, {
      timeoutMs: 30_000,
      describe: 'no deployment',
    });
    const before = await liveHash();
    const liveTasksBefore = (await master.http.get('/v2/tasks')).body.tasks as Json[];

    expect((await master.http.put(`/v2/apps${APP}`, { instances: 2 })).status).toBe(200);
    await running(2);
    await waitFor(async () => ((await master.http.get('/v2/deployments')).body as Json[]).length === 0 || undefined, {
      timeoutMs: 30_000,
      describe: 'no deployment',
    });
    const after = await liveHash();

    // Time travel: the state at each captured offset is the live state of then.
    const past = (await master.http.get(`/v1/state?at=${before.offset}`)).body;
    expect(past).toMatchObject({ offset: before.offset, hash: before.hash });
    expect((past.tasks as Json[]).map((t) => t.id).sort()).toEqual(liveTasksBefore.map((t) => t.id).sort());
    expect((past.apps as Json[]).find((a) => a.id === APP)).toMatchObject({ instances: 1, tasksRunning: 1 });
    expect((await master.http.get(`/v1/state?at=${after.offset}`)).body).toMatchObject({ hash: after.hash });
    expect((await master.http.get(`/v1/state?at=${past.at}`)).body.offset).toBeGreaterThanOrEqual(before.offset);

    const diff = (await master.http.get(`/v1/state/diff?from=${before.offset}&to=${after.offset}`)).body;
    expect((diff.changes as Json[]).map((c) => c.text)).toEqual(
      expect.arrayContaining([
        `app ${APP} scaled 1 → 2 by anonymous`,
        expect.stringMatching(/^1 task of \/replay\/web launched on agent /),
      ]),
    );

    // Why: the request, the offer, the agent that fit, the agent passed over and why.
    const agentsByHost = new Map(
      ((await master.http.get('/v1/agents')).body.agents as Json[]).map((a) => [
        a.hostname as string,
        a.agentId as string,
      ]),
    );
    const why = (await master.http.get(`/v1/tasks/${first.id}/why`)).body;
    expect(why.request).toMatchObject({ method: 'POST', path: '/v2/apps', actor: 'anonymous' });
    expect(why.placement).toMatchObject({ agentId: agentsByHost.get('replay-host-2'), host: 'replay-host-2' });
    expect(why.placement.offerId).toEqual(expect.any(String));
    expect(why.placement.offered).toMatchObject({ cpus: expect.any(Number) });
    // A pass offers agents in id order until the task is placed: host-1 was offered too (and is
    // named, with the constraint) exactly when its id comes first.
    const rejectedAgents = why.placement.rejected as Json[];
    expect(rejectedAgents.length).toBeLessThanOrEqual(1);
    expect(why.placement.agentsOffered).toBe(1 + rejectedAgents.length);
    for (const rejected of rejectedAgents) {
      expect(rejected).toEqual({
        agentId: agentsByHost.get('replay-host-1'),
        reason: expect.stringMatching(/constraint/i),
      });
    }
    expect((why.history as Json[]).map((h) => h.type)).toContain('TaskStatusUpdated');
    const appWhy = (await master.http.get(`/v1/apps${APP}/why`)).body;
    expect((appWhy.changes as Json[]).map((c) => c.type)).toEqual([
      'AppCreated',
      'DeploymentStarted',
      'AppScaled',
      'DeploymentStarted',
    ]);
    expect((await master.http.get('/v1/tasks/no-such-task/why')).status).toBe(404);

    // Filtered events, and an unknown type refused (never an empty answer).
    const launches = (await master.http.get(`/v1/events?type=TaskLaunched&app=${APP}`)).body.events as Json[];
    expect(launches).toHaveLength(2);
    expect((await master.http.get('/v1/events?type=TaskLaunch')).status).toBe(400);

    // The same answers from the log alone.
    const offlineWhy = await offline(['why', 'task', first.id, '--json']);
    expect(offlineWhy.code).toBe(0);
    expect(JSON.parse(offlineWhy.stdout)).toEqual(why);
    const offlineState = await offline(['state', '--at', String(before.offset), '--json']);
    expect(offlineState.code).toBe(0);
    const { replay: _r1, ...offlinePast } = JSON.parse(offlineState.stdout);
    const { replay: _r2, ...onlinePast } = past;
    expect(offlinePast).toEqual(onlinePast);
    const offlineTail = await offline(['events', 'tail', '--type', 'TaskLaunched', '--app', APP, '--json']);
    expect(
      offlineTail.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).offset),
    ).toEqual(launches.map((e) => e.offset));
    const typo = await offline(['events', 'tail', '--type', 'TaskLaunch']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("unknown event type 'TaskLaunch'");
    const audit = await offline(['audit', '--app', APP, '--json']);
    expect((JSON.parse(audit.stdout).entries as Json[]).map((e) => e.request?.method)).toEqual(['POST', 'PUT']);

    // After a restart the past is still the past.
    await master.restart();
    expect((await master.http.get(`/v1/state?at=${before.offset}`)).body).toMatchObject({ hash: before.hash });
    expect((await master.http.get(`/v1/tasks/${first.id}/why`)).body.placement).toEqual(why.placement);
  }, 180_000);
});
