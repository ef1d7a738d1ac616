import { SeededIdSource } from '@cairn/common';
import pino from 'pino';
import { ScriptedProbes, SteppedClock } from '../health/health-test-support';
import type { ProbeOutcome, ReadinessOutcome } from '../health/probe';
import { ProbeChecks } from '../health/probe-checks';
import type { AgentCommandWire, HealthCheckSpec, StatusUpdate } from '../protocol/agent-protocol';
import { StatusUpdateQueue, type SendOutcome } from '../status/status-update-queue';
import { MemoryStatusUpdateStore } from '../status/status-update-store';
import type { CheckedTaskSpec } from './launch-spec';
import type { AdoptedTaskView, KillOutcome, TaskExecutor, TaskExit, TaskSpec } from './task-executor';
import { TaskManager } from './task-manager';

// A TaskManager with real checks (ProbeChecks, scripted probes) and a real queue, on a stepped
// manual clock: the master must see RUNNING, then exactly the check transitions in the order
// they happened, then the end, and nothing from a check after a kill or an end.

const T0 = Date.UTC(2026, 0, 1);
const silent = pino({ level: 'silent' });

/** Runs nothing: launch() resolves at once, kill() ends the task on the next microtask. */
class FakeExecutor implements TaskExecutor {
  readonly launched: TaskSpec[] = [];
  adopted: AdoptedTaskView[] = [];
  private readonly listeners = new Set<(exit: TaskExit) => void>();
  private nextPid = 500;

  constructor(private readonly clock: SteppedClock) {}

  onExit(listener: (exit: TaskExit) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  async launch(spec: TaskSpec) {
    this.launched.push(spec);
    return { taskId: spec.taskId, pid: this.nextPid++, sandboxDir: `/sandboxes/${spec.taskId}` };
  }
  kill(taskId: string): KillOutcome {
    queueMicrotask(() =>
      this.exit({ taskId, kind: 'signaled', signal: 'SIGTERM', exitCode: 143, finishedAt: this.clock.now() }),
    );
    return 'signalled';
  }
  exit(exit: TaskExit): void {
    for (const listener of [...this.listeners]) listener(exit);
  }
  async adopt() {
    return this.adopted;
  }
  async acknowledgeExit(): Promise<void> {}
  close(): void {}
}

/** Acks everything, recording what it got in order. */
class RecordingMaster {
  readonly got: StatusUpdate[] = [];
  async send(update: StatusUpdate): Promise<SendOutcome> {
    this.got.push(update);
    return { kind: 'acked' };
  }
  /** `STATE`, or `RUNNING health <index>:<alive>:<failures>` / `RUNNING ready <name>`. */
  summary(): string[] {
    return this.got.map((update) => {
      if (update.health) {
        const { checkIndex, alive, consecutiveFailures } = update.health;
        return `${update.state} health ${checkIndex}:${alive}:${consecutiveFailures}`;
      }
      if (update.readiness) return `${update.state} ready ${update.readiness.name}`;
      return update.state;
    });
  }
}

const aCheck = (overrides: Partial<HealthCheckSpec> = {}): HealthCheckSpec => ({
  protocol: 'HTTP',
  path: '/health',
  portIndex: 0,
  port: null,
  command: null,
  gracePeriodSeconds: 15,
  intervalSeconds: 10,
  timeoutSeconds: 5,
  maxConsecutiveFailures: 3,
  delaySeconds: 15,
  ignoreHttp1xx: false,
  ...overrides,
});

function launch(taskId: string, task: Partial<Extract<AgentCommandWire, { type: 'launch' }>['task']> = {}): string {
  return JSON.stringify({
    type: 'launch',
    task: {
      taskId,
      appId: '/web',
      appVersion: 'v1',
      command: { shell: true, value: 'serve' },
      ports: [31000],
      ...task,
    },
  });
}

function setUp() {
  const clock = new SteppedClock(T0);
  const executor = new FakeExecutor(clock);
  const master = new RecordingMaster();
  const probes = new ScriptedProbes(clock, T0);
  const checks = new ProbeChecks({ clock, logger: silent, probes });
  // eslint-disable-next-line prefer-const
  let tasks: TaskManager;
  const queue = new StatusUpdateQueue({
    store: new MemoryStatusUpdateStore(),
    transport: master,
    clock,
    ids: new SeededIdSource('task-manager-checks'),
    logger: silent,
    onSettled: (update, outcome) => tasks.onSettled(update, outcome),
  });
  tasks = new TaskManager({ executor, queue, clock, logger: silent, hostname: 'agent-1', checks });
  tasks.attach();
  queue.resume();
  return { clock, executor, master, probes, checks, tasks, queue };
}

const ok: ProbeOutcome = { kind: 'success' };
const fail = (cause = 'HTTP 500'): ProbeOutcome => ({ kind: 'failure', cause });
const response = (status: number): ReadinessOutcome => ({
  kind: 'response',
  status,
  contentType: 'text/plain',
  body: 'ok',
});

describe('TaskManager with checks', () => {
  it('reports RUNNING, then exactly the transitions in order, then the end; nothing after the kill', async () => {
    const { clock, master, probes, tasks, queue } = setUp();
    // check 0 (HTTP, grace 15 s): probes at 0, 10 (in grace, ignored), 20 ok, 30 ok, 40 x, 50 x, 60 x -> exhausted
    probes.script('web.1/0', [fail(), fail(), ok, ok, fail(), fail(), fail()]);
    // check 1 (COMMAND, delay 15 s, no grace): probes at 15 x, 25 ok, 35 ok ... then hangs
    probes.script('web.1/1', [fail('exited with status 1'), ok, ok, ok, ok, ok]);
    // readiness: probes at 0 (503), 5 (200) -> ready once
    probes.script('web.1/ready', [response(503), response(200)]);
    tasks.handleLine(
      launch('web.1', {
        healthChecks: [
          aCheck(),
          aCheck({ protocol: 'COMMAND', command: 'true', gracePeriodSeconds: 0, portIndex: null }),
        ],
        readinessChecks: [
          {
            name: 'ready',
            protocol: 'HTTP',
            path: '/ready',
            portIndex: 0,
            intervalSeconds: 5,
            timeoutSeconds: 1,
            httpStatusCodesForReady: [200],
          },
        ],
      }),
    );
    await clock.advance(70_000);
    tasks.kill('web.1');
    await clock.advance(100_000);
    await queue.whenIdle();
    expect(master.summary()).toEqual([
      'TASK_RUNNING',
      'TASK_RUNNING ready ready', // 5 s
      'TASK_RUNNING health 1:false:1', // 15 s: no grace for check 1
      'TASK_RUNNING health 0:true:0', // 20 s
      'TASK_RUNNING health 1:true:0', // 25 s
      'TASK_RUNNING health 0:false:1', // 40 s
      'TASK_RUNNING health 0:false:3', // 60 s: maxConsecutiveFailures, the master decides the kill
      'TASK_KILLED',
    ]);
    const health = master.got.filter((update) => update.health);
    expect(health.map((update) => update.at)).toEqual([
      '2026-01-01T00:00:15.000Z',
      '2026-01-01T00:00:20.000Z',
      '2026-01-01T00:00:25.000Z',
      '2026-01-01T00:00:40.000Z',
      '2026-01-01T00:01:00.000Z',
    ]);
    expect(health.at(-1)).toMatchObject({
      taskId: 'web.1',
      state: 'TASK_RUNNING',
      reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED',
      exitCode: null,
      pid: 500,
      health: {
        checkIndex: 0,
        alive: false,
        consecutiveFailures: 3,
        firstSuccess: '2026-01-01T00:00:20.000Z',
        lastSuccess: '2026-01-01T00:00:30.000Z',
        lastFailure: '2026-01-01T00:01:00.000Z',
        lastFailureCause: 'HTTP 500',
      },
    });
    expect(master.got[1]).toMatchObject({
      reason: 'REASON_TASK_CHECK_STATUS_UPDATED',
      readiness: { name: 'ready', ready: true, lastResponse: { status: 200, contentType: 'text/plain', body: 'ok' } },
    });
    // Check 0 stopped at its 3rd failure; check 1 stopped with the kill (at 70 s) and was not probed after.
    expect(probes.started.filter((probe) => probe.startsWith('web.1/0'))).toHaveLength(7);
    expect(probes.started.filter((probe) => probe.startsWith('web.1/1')).at(-1)).toBe('web.1/1@65');
    expect(clock.pending()).toBe(0);
  });

  it('aborts a probe in flight when the task ends by itself, and reports nothing after the end', async () => {
    const { clock, executor, master, probes, tasks, queue } = setUp();
    probes.script('web.2/0', [ok, 'hang']);
    tasks.handleLine(launch('web.2', { healthChecks: [aCheck({ timeoutSeconds: 60 })] }));
    await clock.advance(12_000);
    expect(probes.started).toEqual(['web.2/0@0', 'web.2/0@10']);
    executor.exit({ taskId: 'web.2', kind: 'exited', exitCode: 0, finishedAt: clock.now() });
    await clock.advance(100_000);
    await queue.whenIdle();
    expect(probes.aborted).toEqual(['web.2/0']);
    expect(master.summary()).toEqual(['TASK_RUNNING', 'TASK_RUNNING health 0:true:0', 'TASK_FINISHED']);
    expect(clock.pending()).toBe(0);
  });

  it('starts no checks for a task without any, and none for a task killed while launching', async () => {
    const { clock, master, probes, tasks, queue } = setUp();
    tasks.handleLine(launch('plain.1'));
    tasks.handleLine(launch('killed.1', { healthChecks: [aCheck()] }));
    tasks.kill('killed.1'); // before launch() returned
    await clock.advance(60_000);
    await queue.whenIdle();
    expect(probes.started).toEqual([]);
    expect(master.summary()).toEqual(['TASK_RUNNING', 'TASK_RUNNING', 'TASK_KILLED']);
  });

  it('refuses a launch whose check cannot run with TASK_ERROR, running nothing', async () => {
    const { clock, executor, master, tasks, queue } = setUp();
    tasks.handleLine(launch('bad.1', { ports: [], healthChecks: [aCheck({ portIndex: 0 })] }));
    await clock.advance(1_000);
    await queue.whenIdle();
    expect(executor.launched).toEqual([]);
    expect(master.got).toMatchObject([{ taskId: 'bad.1', state: 'TASK_ERROR', reason: 'REASON_TASK_INVALID' }]);
    expect(master.got[0].message).toContain('portIndex 0 names no port');
  });

  it('hands the checks to the executor in the spec it checkpoints, and restarts them for an adopted task', async () => {
    const first = setUp();
    first.tasks.handleLine(launch('web.3', { healthChecks: [aCheck({ protocol: 'MESOS_HTTP', delaySeconds: 15 })] }));
    await first.clock.advance(0);
    const checkpointed = first.executor.launched[0] as CheckedTaskSpec;
    expect(checkpointed.healthChecks).toEqual([aCheck({ protocol: 'MESOS_HTTP', delaySeconds: 15 })]);
    expect(checkpointed).not.toHaveProperty('readinessChecks');

    // A new agent run, 10 s after the task's start: the check starts over, its delay still counts from the start.
    const second = setUp();
    await second.clock.advance(10_000);
    second.executor.adopted = [
      {
        taskId: 'web.3',
        state: 'running',
        checkpoint: {
          pid: 900,
          spec: JSON.parse(JSON.stringify(checkpointed)),
          sandboxDir: '/s/web.3',
          launchedAt: T0,
        },
      },
    ];
    second.probes.script('web.3/0', [ok]);
    await second.tasks.recover([]);
    await second.clock.advance(4_999);
    expect(second.probes.started).toEqual([]);
    await second.clock.advance(1);
    await second.queue.whenIdle();
    expect(second.probes.started).toEqual(['web.3/0@15']);
    expect(second.master.summary()).toEqual(['TASK_RUNNING health 0:true:0']);
    expect(second.master.got[0]).toMatchObject({ taskId: 'web.3', pid: 900 });
    second.tasks.detach();
    first.tasks.detach();
    expect(second.clock.pending()).toBe(0);
  });

  it('runs no checks for an adopted task whose checkpointed checks it cannot read', async () => {
    const { clock, executor, probes, tasks } = setUp();
    executor.adopted = [
      {
        taskId: 'old.1',
        state: 'running',
        checkpoint: { pid: 1, spec: { ...JSON.parse(launch('old.1')).task, healthChecks: [{ protocol: 'GOPHER' }] } },
      },
    ];
    await tasks.recover([]);
    await clock.advance(60_000);
    expect(probes.started).toEqual([]);
    expect(tasks.registeredTasks()).toEqual([{ taskId: 'old.1', state: 'TASK_RUNNING', exitCode: null, pid: 1 }]);
  });

  it('detach() stops every check', async () => {
    const { clock, probes, tasks } = setUp();
    probes.script('web.4/0', ['hang']);
    tasks.handleLine(launch('web.4', { healthChecks: [aCheck()] }));
    await clock.advance(1_000);
    tasks.detach();
    await clock.advance(100_000);
    expect(probes.aborted).toEqual(['web.4/0']);
    expect(probes.started).toEqual(['web.4/0@0']);
    expect(clock.pending()).toBe(0);
  });
});
