import {
  AgentHandle,
  allEvents,
  describeEachBackend,
  isProcessLive,
  MasterHandle,
  offlineReplay,
  startAgent,
  startMaster,
  startTcpForwarder,
  stateHash,
  TcpForwarder,
  TEST_MASTER_AGENT_ENV,
  waitFor,
  waitForRunningTasks,
} from '../harness';

jest.setTimeout(180_000);

const APP_ID = '/e2e/survivor';

describeEachBackend('a master restarted under running tasks', (backend) => {
  let master: MasterHandle | undefined;
  let agent: AgentHandle | undefined;
  let address: TcpForwarder | undefined;

  afterEach(async () => {
    await agent?.killTasksAndStop();
    await master?.stop();
    await address?.close();
    [master, agent, address] = [undefined, undefined, undefined];
  });

  // SIGTERM: a clean stop, as an operator restarts a master; SIGKILL: a crash.
  it.each(['SIGTERM', 'SIGKILL'] as const)(
    '%s: reconciles without restarting the tasks, and its state hash equals an offline replay',
    async (signal) => {
      const m = (master = await startMaster({ backend, env: TEST_MASTER_AGENT_ENV }));
      // A restarted MasterHandle listens on a new port: the agent knows the master by a fixed address.
      const forwarder = (address = await startTcpForwarder(() => m.port));
      const a = (agent = await startAgent({
        masterUrl: forwarder.url,
        hostname: 'node-1',
        resources: 'cpus:4;mem:4096;ports:[31000-31099]',
      }));

      const created = await m.http.post('/v2/apps', {
        id: APP_ID,
        cmd: 'exec sleep 300',
        instances: 2,
        cpus: 0.1,
        mem: 16,
      });
      expect(created.status).toBe(201);
      const tasks = await waitForRunningTasks(m, APP_ID, 2, { onTimeout: () => a.describeLogs() });
      const sandboxes = a.sandboxTasks().filter((s) => tasks.some((t) => t.id === s.taskId));
      expect(sandboxes).toHaveLength(2);
      const launchesBefore = (await allEvents(m, ['TaskLaunched'])).length;
      const killsBefore = (await allEvents(m, ['TaskKillRequested'])).length;

      const restartedAtMs = Date.now();
      const stopped = await m.restart({ signal });
      if (signal === 'SIGTERM') expect(stopped).toEqual({ code: 0, signal: null });
      // The same agent (same process, same id) comes back to the new master with its task list.
      const view = await a.waitUntilConnected({ sinceMs: restartedAtMs, timeoutMs: 30_000 });
      expect(a.process.exitStatus()).toBeUndefined();
      expect(view.tasks).toBe(2);

      const after = await waitForRunningTasks(m, APP_ID, 2, { onTimeout: () => a.describeLogs() });
      expect(after.map((t) => t.id).sort()).toEqual(tasks.map((t) => t.id).sort());
      for (const s of sandboxes) expect(isProcessLive(s.pid, s.startTime)).toBe(true);
      expect(a.sandboxTasks().filter((s) => isProcessLive(s.pid, s.startTime))).toHaveLength(2);
      expect(await allEvents(m, ['TaskLaunched'])).toHaveLength(launchesBefore);
      expect(await allEvents(m, ['TaskKillRequested'])).toHaveLength(killsBefore);
      const reregistered = (await allEvents(m, ['AgentReregistered'])).at(-1);
      expect(reregistered?.data.agentId).toBe(a.agentId());
      expect(Date.parse(reregistered!.at)).toBeGreaterThanOrEqual(restartedAtMs);
      for (const t of tasks) expect(reregistered?.data.tasks).toContainEqual({ taskId: t.id, state: 'TASK_RUNNING' });

      // The live state equals a fresh fold of the same log (compared at the same offset).
      const compared = await waitFor(
        async () => {
          const live = await stateHash(m);
          const replay = await offlineReplay(m);
          return live.offset === replay.offset ? { live, replay } : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 200, describe: 'the live state hash and a replay at the same offset' },
      );
      expect(compared.replay.hash).toBe(compared.live.hash);
    },
  );
});
