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

jest.setTimeout(180_000);

/**
 * Marathon's unreachableStrategy with real processes: an agent is SIGKILLed (its tasks keep
 * running, as a crashed Mesos agent's do), the master marks it unreachable after
 * CAIRN_AGENT_UNREACHABLE_SECONDS, keeps its tasks as unreachable, replaces them on the other
 * agent after inactiveAfterSeconds, and, depending on whether the agent comes back before
 * expungeAfterSeconds, adopts them back (killing the surplus) or has them killed.
 */
const UNREACHABLE_SECONDS = 2;
const SLEEP = { cmd: 'sleep 3600', cpus: 0.01, mem: 8, instances: 2 };

describe('unreachableStrategy: an agent lost and back', () => {
  let master: MasterHandle;
  let node1: AgentHandle;
  let node2: AgentHandle | undefined;

  beforeEach(async () => {
    master = await startMaster({
      backend: 'file',
      env: { ...TEST_MASTER_AGENT_ENV, CAIRN_AGENT_UNREACHABLE_SECONDS: String(UNREACHABLE_SECONDS) },
    });
    node1 = await startAgent({
      masterUrl: master.url,
      hostname: 'node-1',
      resources: 'cpus:2;mem:2048;ports:[31500-31549]',
    });
  });

  afterEach(async () => {
    await node1?.killTasksAndStop().catch(() => undefined);
    await node2?.killTasksAndStop().catch(() => undefined);
    node2 = undefined;
    await master?.stop();
  });

  /** /lost/web's 2 tasks run on node-1; then node-2 joins, empty. Returns node-1's task ids. */
  async function twoTasksOnNode1(appId: string, strategy: Json): Promise<string[]> {
    const created = await master.http.post('/v2/apps', { id: appId, ...SLEEP, unreachableStrategy: strategy });
    expect(created.status).toBe(201);
    const tasks = await waitFor(
      async () => {
        const running = (await appTasks(master, appId)).filter((t) => t.state === 'TASK_RUNNING');
        return running.length === 2 ? running : undefined;
      },
      { timeoutMs: 30_000, describe: 'two running tasks on node-1' },
    );
    await waitForNoDeployment(master);
    node2 = await startAgent({
      masterUrl: master.url,
      hostname: 'node-2',
      resources: 'cpus:2;mem:2048;ports:[31550-31599]',
    });
    return tasks.map((t) => t.id).sort();
  }

  async function eventsOfTasks(types: string[], taskIds: readonly string[]): Promise<Json[]> {
    return (await allEvents(master, types)).filter((e) => taskIds.includes(e.data.taskId));
  }

  async function tasksByHost(appId: string): Promise<Record<string, string[]>> {
    const byHost: Record<string, string[]> = {};
    for (const task of await appTasks(master, appId)) (byHost[task.host] ??= []).push(task.id);
    return byHost;
  }

  it('adopts the tasks of an agent back before the expunge, and kills the replacements it no longer needs', async () => {
    const lost = await twoTasksOnNode1('/lost/back', { inactiveAfterSeconds: 2, expungeAfterSeconds: 600 });
    const processes = () =>
      node1
        .sandboxTasks()
        .filter((t) => lost.includes(t.taskId) && t.exitStatus === undefined)
        .map((t) => `${t.taskId} ${t.pid} ${t.startTime}`)
        .sort();
    const before = processes();
    expect(before).toHaveLength(2);
    await node1.kill();

    // Unreachable (still counting), then inactive: replaced on node-2.
    await waitFor(async () => (await eventsOfTasks(['TaskUnreachableInactive'], lost)).length === 2, {
      timeoutMs: 30_000,
      describe: 'both lost tasks inactive',
    });
    expect((await eventsOfTasks(['TaskUnreachable'], lost)).map((e) => e.data.expungeAfterSeconds)).toEqual([600, 600]);
    const replacements = await waitFor(
      async () => {
        const onNode2 = (await appTasks(master, '/lost/back')).filter(
          (t) => t.host === 'node-2' && t.state === 'TASK_RUNNING',
        );
        return onNode2.length === 2 ? onNode2.map((t) => t.id) : undefined;
      },
      { timeoutMs: 30_000, describe: 'two replacements running on node-2' },
    );

    await node1.start();
    // Adopted back: the same task ids run again on node-1; the surplus (the replacements) is killed.
    await waitFor(
      async () => {
        const byHost = await tasksByHost('/lost/back');
        return byHost['node-1']?.sort().join() === lost.join() && !byHost['node-2'] ? byHost : undefined;
      },
      { timeoutMs: 30_000, describe: 'the lost tasks adopted, the replacements gone' },
    );
    const adopted = (await eventsOfTasks(['TaskStatusUpdated'], lost)).filter(
      (e) => e.data.reason === 'REASON_RECONCILIATION',
    );
    expect(adopted.map((e) => e.data.state)).toEqual(['TASK_RUNNING', 'TASK_RUNNING']);
    const killed = await eventsOfTasks(['TaskKillRequested'], replacements);
    expect(killed.map((e) => e.data.reason)).toEqual([
      'surplus after an unreachable task came back',
      'surplus after an unreachable task came back',
    ]);
    // Never restarted: the processes of the lost tasks are the ones node-1 started at first.
    expect(processes()).toEqual(before);
    expect((await appTasks(master, '/lost/back')).every((t) => t.state === 'TASK_RUNNING')).toBe(true);
    expect((await getApp(master, '/lost/back')).tasksRunning).toBe(2);
  });

  it('expunges the tasks after expungeAfterSeconds; when their agent comes back they are killed', async () => {
    const lost = await twoTasksOnNode1('/lost/gone', { inactiveAfterSeconds: 1, expungeAfterSeconds: 3 });
    await node1.kill();

    await waitFor(
      async () =>
        (await eventsOfTasks(['TaskStatusUpdated'], lost)).filter((e) => String(e.data.message).startsWith('expunged'))
          .length === 2,
      { timeoutMs: 30_000, describe: 'both lost tasks expunged' },
    );
    await waitFor(
      async () => {
        const byHost = await tasksByHost('/lost/gone');
        return byHost['node-2']?.length === 2 && !byHost['node-1'] ? byHost : undefined;
      },
      { timeoutMs: 30_000, describe: 'two tasks on node-2 only' },
    );

    await node1.start();
    // The log no longer places them anywhere: node-1 is told to kill them.
    await waitFor(async () => (await eventsOfTasks(['TaskKillRequested'], lost)).length === 2, {
      timeoutMs: 30_000,
      describe: 'kills for the expunged tasks',
    });
    await waitFor(
      async () => node1.sandboxTasks().every((t) => !lost.includes(t.taskId) || t.exitStatus !== undefined),
      {
        timeoutMs: 30_000,
        describe: 'the expunged tasks ended on node-1',
      },
    );
    expect(Object.keys(await tasksByHost('/lost/gone'))).toEqual(['node-2']);
  });
});
