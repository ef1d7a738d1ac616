import { randomUUID } from 'node:crypto';
import {
  AgentHandle,
  allEvents,
  appTasks,
  endOffset,
  Json,
  MasterHandle,
  startAgent,
  startMaster,
  startTcpForwarder,
  stateHash,
  TcpForwarder,
  TEST_AGENT_TOKEN,
  TEST_MASTER_AGENT_ENV,
  waitFor,
  waitForNoDeployment,
  waitForRunningTasks,
} from '../harness';

jest.setTimeout(120_000);

const APP_ID = '/e2e/guarded';
const AGENT_EXIT_TIMEOUT_MS = 15_000;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A registration body as an agent sends it (docs/agent-protocol.md §1). */
const registration = {
  hostname: 'intruder',
  filesPort: 5051,
  resources: { cpus: 1, mem: 128, disk: 100, ports: [[33000, 33009]] },
  attributes: {},
  capabilities: ['MESOS'],
  tasks: [],
};

/** A status update as an agent sends it (docs/agent-protocol.md §3). */
function statusUpdate(taskId: string, state: string, extra: Record<string, Json> = {}) {
  return {
    updateId: randomUUID(),
    taskId,
    state,
    reason: null,
    message: null,
    exitCode: null,
    pid: null,
    at: new Date().toISOString(),
    ...extra,
  };
}

describe('agent identity and reliable status updates [file]', () => {
  let master: MasterHandle;
  let address: TcpForwarder;
  const agents: AgentHandle[] = [];

  beforeAll(async () => {
    master = await startMaster({ backend: 'file', env: TEST_MASTER_AGENT_ENV });
    address = await startTcpForwarder(() => master.port);
  });

  afterAll(async () => {
    for (const agent of agents) await agent.killTasksAndStop();
    await master?.stop();
    await address?.close();
  });

  it('a missing or bad agent token is refused (401), and an agent holding one exits non-zero saying why', async () => {
    const offsetBefore = await endOffset(master);
    const missing = await master.http.post('/internal/v1/agents/register', registration);
    expect(missing.status).toBe(401);
    expect(missing.body.message).toMatch(/token/i);
    const bad = await master.http.post('/internal/v1/agents/register', registration, {
      headers: bearer('not-the-token'),
    });
    expect(bad.status).toBe(401);
    expect(bad.body.message).toMatch(/token/i);
    const badStream = await master.http.get('/internal/v1/agents/some-agent/commands', { headers: bearer('nope') });
    expect(badStream.status).toBe(401);
    const badStatus = await master.http.post(
      '/internal/v1/agents/some-agent/status',
      statusUpdate('x.1', 'TASK_RUNNING'),
    );
    expect(badStatus.status).toBe(401);
    expect(master.stderr()).toMatch(
      /refused agent request POST \/internal\/v1\/agents\/register .*missing agent token/,
    );
    expect(master.stderr()).toMatch(/refused agent request POST \/internal\/v1\/agents\/register .*bad agent token/);

    for (const token of ['not-the-token', null]) {
      const agent = await startAgent({ masterUrl: master.url, hostname: 'rogue', token, waitUntilConnected: false });
      const exit = await waitFor(() => agent.process.exitStatus(), {
        timeoutMs: AGENT_EXIT_TIMEOUT_MS,
        describe: `the agent with ${token ? 'a bad' : 'no'} token to exit`,
        onTimeout: () => agent.describeLogs(),
      });
      expect(exit.code).not.toBe(0);
      expect(exit.code).not.toBeNull();
      // Said plainly, with what to do about it.
      expect(agent.stderr()).toMatch(/refused this agent's token/i);
      expect(agent.stderr()).toMatch(/CAIRN_AGENT_TOKEN/);
      expect(agent.agentId()).toBeUndefined();
    }
    expect((await master.http.get('/v1/agents')).body.agents).toEqual([]);
    expect(await endOffset(master)).toBe(offsetBefore); // a refused agent leaves no trace in the log
  });

  it('an update for a task the agent does not own is refused (409) and logged; a duplicate changes nothing, also after a master restart', async () => {
    for (const hostname of ['host-a', 'host-b']) {
      agents.push(
        await startAgent({ masterUrl: address.url, hostname, resources: 'cpus:1;mem:512;ports:[31000-31009]' }),
      );
    }
    const created = await master.http.post('/v2/apps', {
      id: APP_ID,
      cmd: 'exec sleep 300',
      instances: 1,
      cpus: 0.5,
      mem: 16,
    });
    expect(created.status).toBe(201);
    const [task] = await waitForRunningTasks(master, APP_ID, 1);
    await waitForNoDeployment(master); // its last events: the app's deployment finishing
    const owner = agents.find((a) => a.agentId() === task.slaveId)!;
    const other = agents.find((a) => a !== owner)!;
    expect(owner).toBeDefined();
    const ownerId = owner.agentId()!;
    const otherId = other.agentId()!;

    // Another agent reports the task: refused and logged, nothing written, the task unchanged.
    const before = await endOffset(master);
    const foreign = statusUpdate(task.id, 'TASK_FAILED', { exitCode: 1, message: 'not mine' });
    const refused = await master.http.post(`/internal/v1/agents/${otherId}/status`, foreign, {
      headers: bearer(TEST_AGENT_TOKEN),
    });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toEqual(expect.any(String));
    const unknown = statusUpdate('e2e_nothing.0c0ffee0-0000-4000-8000-000000000000', 'TASK_RUNNING');
    const refusedUnknown = await master.http.post(`/internal/v1/agents/${ownerId}/status`, unknown, {
      headers: bearer(TEST_AGENT_TOKEN),
    });
    expect(refusedUnknown.status).toBe(409);
    await waitFor(() => master.stderr().includes(foreign.updateId) && master.stderr().includes(unknown.updateId), {
      timeoutMs: 5_000,
      describe: "the master's log to name both refused updates",
      onTimeout: () => master.describeLogs(),
    });
    expect(master.stderr()).toMatch(new RegExp(`refused status update ${foreign.updateId} from agent ${otherId}`));
    expect(await endOffset(master)).toBe(before);
    expect((await appTasks(master, APP_ID)).map((t) => [t.id, t.state])).toEqual([[task.id, 'TASK_RUNNING']]);

    // The owner's update, twice: the first is recorded, the second changes nothing.
    const update = statusUpdate(task.id, 'TASK_RUNNING', { pid: owner.sandboxTasks()[0]?.pid ?? null });
    const first = await master.http.post(`/internal/v1/agents/${ownerId}/status`, update, {
      headers: bearer(TEST_AGENT_TOKEN),
    });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ ack: update.updateId });
    const recorded = (await allEvents(master, ['TaskStatusUpdated'])).filter(
      (e) => e.data.updateId === update.updateId,
    );
    expect(recorded).toHaveLength(1);
    const afterFirst = await endOffset(master);
    const hashAfterFirst = await stateHash(master);
    const second = await master.http.post(`/internal/v1/agents/${ownerId}/status`, update, {
      headers: bearer(TEST_AGENT_TOKEN),
    });
    expect(second.status).toBe(200);
    expect(second.body).toEqual({ ack: update.updateId });
    expect(await endOffset(master)).toBe(afterFirst);
    expect(await stateHash(master)).toEqual(hashAfterFirst);

    // After a restart (a crash: the log is all that is left), the update id is still known.
    const restartedAtMs = Date.now();
    await master.restart({ signal: 'SIGKILL' });
    for (const agent of agents) await agent.waitUntilConnected({ sinceMs: restartedAtMs, timeoutMs: 30_000 });
    await waitForRunningTasks(master, APP_ID, 1, { where: (tasks) => tasks[0].id === task.id });
    const afterRestart = await endOffset(master);
    const hashAfterRestart = await stateHash(master);
    const third = await master.http.post(`/internal/v1/agents/${ownerId}/status`, update, {
      headers: bearer(TEST_AGENT_TOKEN),
    });
    expect(third.status).toBe(200);
    expect(third.body).toEqual({ ack: update.updateId });
    expect(await endOffset(master)).toBe(afterRestart);
    expect(await stateHash(master)).toEqual(hashAfterRestart);
    expect(
      (await allEvents(master, ['TaskStatusUpdated'])).filter((e) => e.data.updateId === update.updateId),
    ).toHaveLength(1);
  });
  it('POST .../statuses answers each update on its own: 200 once durable, 409 not its task, 422 malformed', async () => {
    const [task] = await waitForRunningTasks(master, APP_ID, 1);
    const owner = agents.find((a) => a.agentId() === task.slaveId)!;
    const ownerId = owner.agentId()!;
    // A health-free RUNNING again under a new id is recorded (a new fact); sent twice in the same request,
    // the second is a duplicate decided on the first's speculative state: one event, two acks.
    const again = statusUpdate(task.id, 'TASK_RUNNING', { pid: owner.sandboxTasks()[0]?.pid ?? null });
    const foreign = statusUpdate('e2e_nothing.0c0ffee0-0000-4000-8000-000000000000', 'TASK_RUNNING');
    const malformed = { updateId: randomUUID(), taskId: task.id, state: 'TASK_NOT_A_STATE' };
    const before = await endOffset(master);
    const answer = await master.http.post(
      `/internal/v1/agents/${ownerId}/statuses`,
      { updates: [again, foreign, malformed, again] },
      { headers: bearer(TEST_AGENT_TOKEN) },
    );
    expect(answer.status).toBe(200);
    expect(answer.body.results).toEqual([
      { updateId: again.updateId, status: 200 },
      { updateId: foreign.updateId, status: 409, message: expect.any(String) },
      { updateId: malformed.updateId, status: 422, message: expect.stringContaining('/state') },
      { updateId: again.updateId, status: 200 },
    ]);
    expect(
      (await allEvents(master, ['TaskStatusUpdated'])).filter((e) => e.data.updateId === again.updateId),
    ).toHaveLength(1);
    expect(await endOffset(master)).toBe(before + 1);

    const empty = await master.http.post(
      `/internal/v1/agents/${ownerId}/statuses`,
      { updates: [] },
      {
        headers: bearer(TEST_AGENT_TOKEN),
      },
    );
    expect(empty.status).toBe(422);
  });
});
