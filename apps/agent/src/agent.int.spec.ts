import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import pino from 'pino';
import { startAgent, type AgentDependencies, type RunningAgent } from './agent';
import type { AgentOptions } from './config/agent-options';
import { GroupSweeper, groupMembers, runPrefix, tempWorkDir, waitFor } from './executor/executor-test-support';
import type { AgentCommandWire, StatusUpdate } from './protocol/agent-protocol';
import { FakeMaster } from './testing/fake-master';

// The agent against a fake master (node:http on port 0), with real processes. Every process
// group a task creates is tracked and swept at the end, also when a test fails.
const TOKEN = 'agent-int-token';
const prefix = runPrefix();
const sweeper = new GroupSweeper(prefix);
const work = tempWorkDir();
const running: RunningAgent[] = [];
const masters: FakeMaster[] = [];

const FAST: AgentDependencies = {
  logger: pino({ level: process.env.CAIRN_LOG_LEVEL ?? 'silent' }),
  reconnectBackoff: { initialMs: 20, maxMs: 100, factor: 2 },
  statusBackoff: { initialMs: 20, maxMs: 100, factor: 2 },
};

function agentOptions(master: FakeMaster | string[], overrides: Partial<AgentOptions> = {}): AgentOptions {
  return {
    masters: Array.isArray(master) ? master : [master.url],
    workDir: work.dir,
    resources: { cpus: 2, mem: 1024, disk: 100, ports: [[31000, 31010]] },
    hostname: 'agent-int.local',
    attributes: { rack: 'a' },
    port: 0,
    ip: '127.0.0.1',
    token: TOKEN,
    ...overrides,
  };
}

async function anAgent(master: FakeMaster | string[], overrides: Partial<AgentOptions> = {}): Promise<RunningAgent> {
  const agent = await startAgent(agentOptions(master, overrides), FAST);
  running.push(agent);
  return agent;
}

async function aMaster(ackDelayMs = 0): Promise<FakeMaster> {
  const master = await FakeMaster.start({ token: TOKEN, ackDelayMs, pingIntervalMs: 200 });
  masters.push(master);
  return master;
}

function launch(taskId: string, cmd: string): AgentCommandWire {
  return {
    type: 'launch',
    task: {
      taskId,
      appId: '/int/app',
      appVersion: '2026-01-01T00:00:00.000Z',
      command: { shell: true, value: cmd },
      env: {},
      ports: [31000],
      killGracePeriodSeconds: 1,
    },
  };
}

async function update(master: FakeMaster, taskId: string, state: StatusUpdate['state']): Promise<StatusUpdate> {
  const found = await waitFor(
    `${state} of ${taskId}`,
    () => master.applied.find((seen) => seen.taskId === taskId && seen.state === state),
    10_000,
  );
  if (found.pid !== null) sweeper.track(found.pid);
  return found;
}

/** Waits until every update the master applied was also acked (acks are slow on purpose). */
async function allAcked(master: FakeMaster): Promise<void> {
  await waitFor('every update acked', () =>
    master.applied.every((seen) => master.journal.includes(`acked ${seen.updateId}`)) ? true : undefined,
  );
}

function groupAlive(pgid: number): boolean {
  return groupMembers(pgid).length > 0;
}

afterAll(async () => {
  for (const agent of running) await agent.close().catch(() => undefined);
  for (const master of masters) await master.close().catch(() => undefined);
  const left = await sweeper.sweep();
  work.remove();
  expect(left).toEqual({ leftGroups: [], leftMatching: [] });
});

describe('cairn agent against a master', () => {
  let master: FakeMaster;
  let first: RunningAgent;
  const task = (n: number) => `${prefix}.${n}`;

  it('registers with its resources, attributes, files port and an empty task list', async () => {
    master = await aMaster(200); // slow acks: an agent that did not wait for them would be caught
    first = await anAgent(master);
    await waitFor('a command stream', () => (master.openStreams() > 0 ? true : undefined));
    expect(master.registrations).toEqual([
      {
        hostname: 'agent-int.local',
        filesPort: first.filesPort,
        resources: { cpus: 2, mem: 1024, disk: 100, ports: [[31000, 31010]] },
        attributes: { rack: 'a' },
        capabilities: ['MESOS'],
        tasks: [],
      },
    ]);
    expect(first.agentId()).toBe('agent-1');
    expect(JSON.parse(readFileSync(join(work.dir, 'agent.json'), 'utf8'))).toMatchObject({ agentId: 'agent-1' });
  });

  it('answers pings with pongs, and says so on its command stream', async () => {
    const before = master.pongs.length;
    await waitFor('two pongs', () => (master.pongs.length >= before + 2 ? true : undefined));
    expect(new Set(master.pongs)).toEqual(new Set(['agent-1']));
    expect(master.streamPongHeaders).toEqual(['1']);
  });

  it('launches a task, reports it RUNNING, serves its stdout, kills it and reports KILLED after the RUNNING ack', async () => {
    master.send(launch(task(1), 'echo "hello from $MESOS_TASK_ID on $PORT0"; exec sleep 30'));
    const runningUpdate = await update(master, task(1), 'TASK_RUNNING');
    expect(runningUpdate.pid).toEqual(expect.any(Number));
    expect(groupAlive(runningUpdate.pid!)).toBe(true);

    const read = await readStdout(first, task(1));
    expect(read).toEqual({ data: `hello from ${task(1)} on 31000\n`, offset: 0 });

    master.send({ type: 'kill', taskId: task(1), gracePeriodSeconds: 1 });
    const killed = await update(master, task(1), 'TASK_KILLED');
    expect(killed.exitCode).toBe(143); // sleep died of the SIGTERM: 128 + 15
    expect(master.statesOf(task(1))).toEqual(['TASK_RUNNING', 'TASK_KILLED:143']);
    // Order: the KILLED update was sent only once the RUNNING one was acked.
    const journal = master.journal;
    expect(journal.indexOf(`acked ${runningUpdate.updateId}`)).toBeLessThan(
      journal.indexOf(`received ${killed.updateId}`),
    );
    await waitFor('the task group gone', () => (groupAlive(runningUpdate.pid!) ? undefined : true));
    // The task's end reached the master: its status update checkpoint is gone.
    await waitFor('no status updates left on disk', () => (statusFiles().length === 0 ? true : undefined));
  });

  it('reports a command that fails as TASK_FAILED with its exit code, and a launch it cannot run as TASK_ERROR', async () => {
    master.send(launch(task(2), 'exit 7'));
    expect((await update(master, task(2), 'TASK_FAILED')).exitCode).toBe(7);
    expect(master.statesOf(task(2))).toEqual(['TASK_RUNNING', 'TASK_FAILED:7']);

    master.send(launch(task(3), ''));
    const refused = await update(master, task(3), 'TASK_ERROR');
    expect(refused).toMatchObject({ reason: 'REASON_TASK_INVALID', exitCode: null });
    await allAcked(master);
  });

  it('reconnects and re-registers with its tasks when the stream ends', async () => {
    master.send(launch(task(4), 'exec sleep 30'));
    const runningUpdate = await update(master, task(4), 'TASK_RUNNING');
    await allAcked(master); // ended tasks stay in the list until their end is acked
    const before = master.registrations.length;
    master.endStreams();
    await waitFor('a second registration', () => (master.registrations.length > before ? true : undefined));
    expect(master.registrations.at(-1)).toMatchObject({
      agentId: 'agent-1',
      tasks: [{ taskId: task(4), state: 'TASK_RUNNING', exitCode: null, pid: runningUpdate.pid }],
    });
    await waitFor('the stream again', () => (master.openStreams() > 0 ? true : undefined));
  });

  it('leaves its tasks running when stopped; a new agent on the work dir adopts them and resends what was not acked', async () => {
    master.send(launch(task(5), 'sleep 1; exit 3'));
    const exiting = await update(master, task(5), 'TASK_RUNNING');
    master.statusFailure = 503; // the next update will not be acked before the agent stops
    master.send(launch(task(6), 'exec sleep 30'));
    const unacked = await waitFor('a refused RUNNING of task 6', () =>
      master.received.find((seen) => seen.taskId === task(6)),
    );
    sweeper.track(unacked.pid!);

    await first.close();
    const sleeper = master.applied.find((seen) => seen.taskId === task(4))!;
    expect(groupAlive(sleeper.pid!)).toBe(true); // a stopped agent leaves its tasks running
    expect(groupAlive(unacked.pid!)).toBe(true);
    // Task 5 exits while no agent runs.
    await waitFor('task 5 to exit', () => (existsSync(join(sandbox(task(5)), 'exit_status')) ? true : undefined));
    expect(groupAlive(exiting.pid!)).toBe(false);

    master.statusFailure = undefined;
    master.killOnNextRegistration = [task(6)]; // as a master whose log does not know it would
    const before = master.registrations.length;
    const second = await anAgent(master);
    await waitFor('a registration of the new agent', () => (master.registrations.length > before ? true : undefined));
    expect(second.agentId()).toBe('agent-1');
    const registration = master.registrations.at(-1)!;
    expect(registration.agentId).toBe('agent-1');
    expect(sortById(registration.tasks)).toEqual(
      sortById([
        { taskId: task(4), state: 'TASK_RUNNING', exitCode: null, pid: sleeper.pid },
        { taskId: task(5), state: 'TASK_FAILED', exitCode: 3, pid: null },
        { taskId: task(6), state: 'TASK_RUNNING', exitCode: null, pid: unacked.pid },
      ]),
    );

    // The exit that happened meanwhile is reported; the unacked RUNNING is resent with its id.
    expect((await update(master, task(5), 'TASK_FAILED')).exitCode).toBe(3);
    expect((await update(master, task(6), 'TASK_RUNNING')).updateId).toBe(unacked.updateId);
    // reconcile.kill: the agent kills what the master does not know.
    expect((await update(master, task(6), 'TASK_KILLED')).exitCode).toBe(143);
    expect(master.statesOf(task(6))).toEqual(['TASK_RUNNING', 'TASK_KILLED:143']);

    master.send({ type: 'kill', taskId: task(4), gracePeriodSeconds: 1 });
    await update(master, task(4), 'TASK_KILLED');
    await waitFor('no task groups left', () => ([sleeper.pid!, unacked.pid!].some(groupAlive) ? undefined : true));
    await second.close();
    expect(await second.done).toBe(0);
  });

  it('tries each master URL in turn until one answers; close({ killTasks }) kills its tasks', async () => {
    const deadUrl = await closedPortUrl();
    const other = await aMaster();
    const agent = await anAgent([deadUrl, other.url]);
    await waitFor('a registration through the second URL', () => (other.registrations.length > 0 ? true : undefined));
    await waitFor('the stream', () => (other.openStreams() > 0 ? true : undefined));

    other.send(launch(task(7), 'exec sleep 30'));
    const runningUpdate = await update(other, task(7), 'TASK_RUNNING');
    await agent.close({ killTasks: true }); // what cairn dev does on Ctrl-C
    expect(groupAlive(runningUpdate.pid!)).toBe(false);
    // The end is either delivered or waiting on disk for the next run.
    const killed = other.applied.some((seen) => seen.taskId === task(7) && seen.state === 'TASK_KILLED');
    expect(killed || statusFiles().length > 0).toBe(true);
  });

  it('stops with exit code 1 when the master refuses its token', async () => {
    const strict = await aMaster();
    const agent = await anAgent(strict, { token: 'not-the-token' });
    expect(await agent.done).toBe(1);
    expect(strict.unauthorized).toEqual(['/internal/v1/agents/register']);
  });
});

function sandbox(taskId: string): string {
  return join(work.dir, 'sandboxes', taskId);
}

function statusFiles(): string[] {
  const dir = join(work.dir, 'status-updates');
  return existsSync(dir) ? readdirSync(dir) : [];
}

function sortById<T extends { taskId: string }>(tasks: T[]): T[] {
  return [...tasks].sort((a, b) => a.taskId.localeCompare(b.taskId));
}

async function readStdout(agent: RunningAgent, taskId: string): Promise<unknown> {
  const url = `http://127.0.0.1:${agent.filesPort}/files/read?taskId=${taskId}&file=stdout&offset=0`;
  const deadline = Date.now() + 5_000;
  for (;;) {
    const response = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    const body = (await response.json()) as { data?: string };
    if (response.status === 200 && body.data) return body;
    if (Date.now() > deadline) return body;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A URL on which nothing listens (a port that was free a moment ago). */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
