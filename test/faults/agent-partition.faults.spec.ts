import {
  AgentHandle,
  allEvents,
  appTasks,
  getApp,
  Json,
  MasterHandle,
  offlineReplay,
  readProcStat,
  startAgent,
  startMaster,
  stateHash,
  TEST_MASTER_AGENT_ENV,
  waitFor,
  waitForNoDeployment,
} from '../harness';
import { createNetworkPartition, NamespacedAgent, NetworkPartition } from '../harness/network-partition';

jest.setTimeout(300_000);

/**
 * An agent cut off from every master by a real network partition (its own network namespace,
 * joined to the host by a veth pair whose host end is set down: packets are dropped, nothing is
 * closed), then healed. Marathon's unreachableStrategy {inactive 5 s, expunge 30 s}: the master
 * notices the silence (the agent answers no ping), marks the agent and its tasks unreachable,
 * replaces them on another agent once inactive, and when the partition heals before the expunge
 * adopts the tasks back (same task ids, same processes: they ran the whole time) and kills the
 * replacements. Masters on Kafka, two of them (the agent lists both); the log verifies at the end.
 */
const UNREACHABLE_SECONDS = 2;
const STRATEGY = { inactiveAfterSeconds: 5, expungeAfterSeconds: 30 };
const APP = '/partition/web';
const INSTANCES = 2;
/** Slow election timings for a loaded 2-core machine (as the HA tests): no leader change here. */
const MASTER_ENV = {
  ...TEST_MASTER_AGENT_ENV,
  CAIRN_AGENT_UNREACHABLE_SECONDS: String(UNREACHABLE_SECONDS),
  CAIRN_ELECTION_HEARTBEAT_MS: '300',
  CAIRN_ELECTION_TIMEOUT_MS: '3000',
  // Reachable over the veth (for the agent in the namespace) and on loopback (for the test): an
  // isolated test network, so without API auth, said explicitly.
  CAIRN_HOST: '0.0.0.0',
  CAIRN_AUTH: 'none',
};

interface TaskProcess {
  readonly taskId: string;
  readonly pid: number;
  readonly startTime: number;
}

/** The task's wrapper is still the very process the agent started (pid and start time). */
function stillRunning(task: TaskProcess): boolean {
  try {
    return readProcStat(task.pid).startTime === task.startTime;
  } catch {
    return false;
  }
}

async function role(master: MasterHandle): Promise<string | undefined> {
  const res = await master.http.get('/v1/info', { timeoutMs: 2_000 }).catch(() => undefined);
  return res?.status === 200 ? String(res.body.role) : undefined;
}

describe('an agent cut off from the masters by a network partition, then healed [kafka]', () => {
  let partition: NetworkPartition;
  let leader: MasterHandle;
  let standby: MasterHandle;
  let cutOff: NamespacedAgent;
  let spare: AgentHandle | undefined;

  afterAll(async () => {
    // A failure while cut: heal first, so the agent can report its tasks' ends as it stops.
    if (partition?.isCut) await partition.heal().catch(() => undefined);
    await cutOff?.killTasksAndStop().catch(() => undefined);
    await spare?.killTasksAndStop().catch(() => undefined);
    for (const master of [standby, leader]) await master?.stop().catch(() => undefined);
    partition?.remove();
  });

  it('keeps its tasks running, marks them unreachable, and adopts them back after the heal', async () => {
    // Fails (never skips) where network namespaces cannot be made: no `ip`, not root.
    partition = createNetworkPartition();
    leader = await startMaster({ backend: 'kafka', env: MASTER_ENV });
    await waitFor(async () => (await role(leader)) === 'leader', { timeoutMs: 30_000, describe: 'a leader' });
    standby = await startMaster({ backend: 'kafka', cluster: leader.cluster, env: MASTER_ENV });
    await waitFor(async () => (await role(standby)) === 'standby', { timeoutMs: 30_000, describe: 'a standby' });

    cutOff = new NamespacedAgent(partition, {
      masterUrls: [leader, standby].map((m) => `http://${partition.hostAddress}:${m.port}`),
      hostname: 'node-cut',
      resources: 'cpus:2;mem:2048;ports:[31600-31649]',
    });
    cutOff.start();
    const agentView = async (hostname: string): Promise<Json | undefined> => {
      const res = await leader.http.get('/v1/agents', { timeoutMs: 5_000 });
      return (res.body.agents as Json[]).find((a) => a.hostname === hostname);
    };
    await waitFor(async () => (await agentView('node-cut'))?.connected === true, {
      timeoutMs: 30_000,
      describe: 'the agent in the namespace connected to the leader',
      onTimeout: () => cutOff.describeLogs(),
    });

    const created = await leader.http.post('/v2/apps', {
      id: APP,
      cmd: 'sleep 3600',
      cpus: 0.01,
      mem: 8,
      instances: INSTANCES,
      unreachableStrategy: STRATEGY,
    });
    expect(created.status).toBe(201);
    await waitFor(
      async () => (await appTasks(leader, APP)).filter((t) => t.state === 'TASK_RUNNING').length === INSTANCES,
      { timeoutMs: 30_000, describe: 'the tasks running on the agent in the namespace' },
    );
    await waitForNoDeployment(leader);
    const lost = (await appTasks(leader, APP)).map((t) => t.id).sort();
    const processes: TaskProcess[] = cutOff
      .sandboxTasks()
      .filter((t) => lost.includes(t.taskId) && t.exitStatus === undefined)
      .map(({ taskId, pid, startTime }) => ({ taskId, pid, startTime }));
    expect(processes.map((p) => p.taskId).sort()).toEqual(lost);
    // The tasks are the agent's children: they live in its namespace, not in ours.
    const agentNamespace = NamespacedAgent.namespaceOf(cutOff.pid);
    expect(agentNamespace).toBeDefined();
    expect(agentNamespace).not.toBe(NamespacedAgent.namespaceOf(process.pid));
    for (const task of processes) expect(NamespacedAgent.namespaceOf(task.pid)).toBe(agentNamespace);

    // A second agent, on the host's network, for the replacements.
    spare = await startAgent({
      masterUrl: [leader.url, standby.url],
      hostname: 'node-spare',
      resources: 'cpus:2;mem:2048;ports:[31650-31699]',
    });

    // Every 100 ms from the cut to the end: the agent and its tasks must stay alive, untouched.
    const deaths: string[] = [];
    const watch = setInterval(() => {
      for (const task of processes) if (!stillRunning(task)) deaths.push(`${task.taskId} (pid ${task.pid})`);
      if (cutOff.process.exitStatus()) deaths.push(`the agent (pid ${cutOff.pid})`);
    }, 100);
    try {
      const cutAt = Date.now();
      partition.cut();

      // The master hears nothing from the agent: its stream is dropped, the agent becomes unreachable.
      await waitFor(async () => (await agentView('node-cut'))?.status === 'UNREACHABLE', {
        timeoutMs: 60_000,
        intervalMs: 200,
        describe: 'the cut-off agent UNREACHABLE',
        onTimeout: () => leader.describeLogs(),
      });
      const unreachableAt = Date.now();
      const lostEvents = async (types: string[]) =>
        (await allEvents(leader, types)).filter((e) => lost.includes(e.data.taskId));
      await waitFor(async () => (await lostEvents(['TaskUnreachableInactive'])).length === INSTANCES, {
        timeoutMs: 30_000,
        intervalMs: 200,
        describe: 'both tasks inactive',
      });
      expect((await lostEvents(['TaskUnreachable'])).map((e) => e.data.expungeAfterSeconds)).toEqual([30, 30]);
      const replacements = await waitFor(
        async () => {
          const onSpare = (await appTasks(leader, APP)).filter(
            (t) => t.host === 'node-spare' && t.state === 'TASK_RUNNING',
          );
          return onSpare.length === INSTANCES ? onSpare.map((t) => t.id) : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 200, describe: 'the replacements running on node-spare' },
      );
      // Cut off the whole time: nothing reached the agent, which kept its tasks as they were.
      expect(deaths).toEqual([]);
      // The heal must come before the expunge (30 s after the tasks became unreachable).
      expect(Date.now() - unreachableAt).toBeLessThan(STRATEGY.expungeAfterSeconds * 1000 - 5_000);

      await partition.heal();
      const healedAt = Date.now();
      await waitFor(
        async () => {
          const byHost: Record<string, string[]> = {};
          for (const task of await appTasks(leader, APP)) (byHost[task.host] ??= []).push(task.id);
          return byHost['node-cut']?.sort().join() === lost.join() && !byHost['node-spare'] ? byHost : undefined;
        },
        {
          timeoutMs: 60_000,
          intervalMs: 200,
          describe: 'the lost tasks adopted back, the replacements gone',
          onTimeout: () => cutOff.describeLogs(),
        },
      );
      const adoptedAt = Date.now();
      process.stdout.write(
        `[agent-partition] cut → UNREACHABLE ${((unreachableAt - cutAt) / 1000).toFixed(1)} s ` +
          `(silence 15 s + CAIRN_AGENT_UNREACHABLE_SECONDS ${UNREACHABLE_SECONDS}); heal → tasks adopted and ` +
          `replacements gone ${((adoptedAt - healedAt) / 1000).toFixed(1)} s\n`,
      );

      // Adopted: a reconciliation TASK_RUNNING for each; the replacements killed as surplus.
      const adopted = (await lostEvents(['TaskStatusUpdated'])).filter(
        (e) => e.data.reason === 'REASON_RECONCILIATION',
      );
      expect(adopted.map((e) => e.data.state)).toEqual(['TASK_RUNNING', 'TASK_RUNNING']);
      const killed = (await allEvents(leader, ['TaskKillRequested'])).filter((e) =>
        replacements.includes(e.data.taskId),
      );
      expect(killed.map((e) => e.data.reason)).toEqual([
        'surplus after an unreachable task came back',
        'surplus after an unreachable task came back',
      ]);
      // Nothing of the lost tasks was killed or restarted, and no other task of the app was launched.
      expect(await lostEvents(['TaskKillRequested'])).toEqual([]);
      const launched = (await allEvents(leader, ['TaskLaunched'])).filter((e) => e.data.appId === APP);
      expect(launched.map((e) => e.data.taskId).sort()).toEqual([...lost, ...replacements].sort());
      await waitForNoDeployment(leader);
      const app = await getApp(leader, APP);
      expect(app.instances).toBe(INSTANCES);
      expect(app.tasksRunning).toBe(INSTANCES);
      expect((await appTasks(leader, APP)).map((t) => [t.id, t.state])).toEqual(lost.map((id) => [id, 'TASK_RUNNING']));
    } finally {
      clearInterval(watch);
    }
    expect(deaths).toEqual([]);
    expect(processes.every(stillRunning)).toBe(true);
    // Still the only leader: the partition touched no master.
    expect(await role(leader)).toBe('leader');
    expect((await allEvents(leader, ['LeaderElected'])).length).toBe(1);

    // The log verifies: both masters and an offline replay hold the same state at the same offset.
    await waitFor(
      async () => {
        const hash = await stateHash(leader);
        const other = await stateHash(standby);
        if (other.offset !== hash.offset || other.hash !== hash.hash) return undefined;
        const replay = await offlineReplay(leader);
        return replay.offset === hash.offset && replay.hash === hash.hash ? replay : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, describe: 'leader, standby and an offline replay at one state' },
    );
  });
});
