import { setImmediate as nextTurn } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { ManualClock } from '@cairn/common';
import type { RequestOrigin } from '@cairn/domain';
import { MemoryElectionTopic } from '@cairn/election';
import { MemorySnapshotStore } from '@cairn/eventlog';
import {
  CancelDeploymentCommand,
  CreateAppCommand,
  ChangeGroupCommand,
  DeleteAppCommand,
  DeleteGroupCommand,
  KillTasksCommand,
  ResetLaunchDelayCommand,
  RestartAppCommand,
  UpdateAppCommand,
} from '../../apps/master/src/commands/app.commands';
import { DrainAgentCommand, ReactivateAgentCommand } from '../../apps/master/src/commands/cluster.commands';
import type { CommandOutcome } from '../../apps/master/src/core/sequencer';
import {
  createInProcessMaster,
  type InProcessMaster,
  type SimulatedCluster,
} from '../../apps/master/src/testing/in-process-master';
import { BatchRecordingLogStore } from './batch-recording-store';
import { ScriptedAgent } from './scripted-agent';

/**
 * The golden scenario: a small cluster's life, scripted so that its log holds as many event
 * types as this release writes. Two masters (in-process, memory log, ManualClock, fixed seeds)
 * and three scripted agents; every id comes from a seed and every time from the clock, so the
 * same code writes the same log.
 *
 * Nothing here decides an event: the script only sends the commands the REST and agent APIs send
 * (through the masters' CommandBus) and moves the clock; the masters decide, as in production.
 */
const CONFIG = {
  tickMs: 1000,
  electionHeartbeatMs: 200,
  electionTimeoutMs: 1000,
  agentUnreachableMs: 60_000,
  // Low enough for the leader to snapshot (and record it) within the scenario.
  snapshotEvery: 150,
};
/** Clock steps while waiting for something that takes simulated time (an election, a tick). */
const STEP_MS = 100;
/** A settled cluster: nothing appended for this many event-loop turns and this much real time. */
const QUIET_TURNS = 20;
const QUIET_MS = 5;
const ANONYMOUS = 'anonymous';
const TRACE = process.env.GOLDEN_TRACE === '1';
const ADMIN_ADDRESS = '10.0.0.9';

const WEB = '/golden/web';
const WORKER = '/golden/worker';
const CACHE = '/golden/cache';
const HUGE = '/golden/huge';
const TOOLS = '/golden/tools';
const CRON = '/golden/tools/cron';

export interface GoldenRun {
  readonly store: BatchRecordingLogStore;
  /** The state hash of the leader's projection at the end (a replay of the log must give it too). */
  readonly liveHash: string;
  readonly liveOffset: number;
}

export async function runGoldenScenario(): Promise<GoldenRun> {
  const sim = new GoldenSimulation();
  try {
    await sim.script();
    const leader = sim.leader();
    return {
      store: sim.store,
      liveHash: leader.runtime.projection.hash(),
      liveOffset: leader.runtime.projection.appliedOffset,
    };
  } finally {
    await sim.close();
  }
}

class GoldenSimulation {
  readonly clock = new ManualClock();
  readonly store = new BatchRecordingLogStore();
  private readonly cluster: SimulatedCluster = {
    clock: this.clock,
    store: this.store,
    electionTopic: new MemoryElectionTopic(this.clock),
    snapshots: new MemorySnapshotStore(),
  };
  private readonly masters: InProcessMaster[] = [];
  private readonly agents = [
    new ScriptedAgent(
      'node-a.golden',
      '10.0.1.1',
      { cpus: 4, mem: 8192, disk: 20_000, ports: [[31000, 31099]] },
      {
        rack: 'r1',
      },
    ),
    new ScriptedAgent(
      'node-b.golden',
      '10.0.1.2',
      { cpus: 4, mem: 8192, disk: 20_000, ports: [[31000, 31099]] },
      {
        rack: 'r2',
      },
    ),
    new ScriptedAgent(
      'node-c.golden',
      '10.0.1.3',
      { cpus: 2, mem: 4096, disk: 10_000, ports: [[31000, 31099]] },
      {
        rack: 'r3',
      },
    ),
  ];
  private requests = 0;

  async script(): Promise<void> {
    const [a, b, c] = this.agents;

    // Two masters: the first elected writes LeaderElected and (a new log) ClusterVersionRaised.
    for (const [i, instance] of ['10.0.0.5:8080', '10.0.0.6:8080'].entries()) {
      this.masters.push(await createInProcessMaster(this.cluster, { instance, seed: `golden-${i}`, config: CONFIG }));
    }
    let started = 0;
    for (const master of this.masters) void master.start().then(() => started++);
    await this.until(() => started === this.masters.length && this.masters.some((m) => m.runtime.isReady));

    // The cache app lands on the only agent there is yet; it is kept while its agent is unreachable.
    await c.register(this.leader());
    await this.user(
      new CreateAppCommand(
        {
          kind: 'CreateApp',
          app: {
            id: CACHE,
            cmd: 'redis-server --port $PORT0',
            cpus: 0.5,
            mem: 512,
            instances: 1,
            portDefinitions: [{ port: 0, protocol: 'tcp', name: 'redis' }],
            unreachableStrategy: { inactiveAfterSeconds: 30, expungeAfterSeconds: 3600 },
          },
          force: false,
        },
        ANONYMOUS,
        this.origin('POST', '/v2/apps'),
      ),
    );
    await this.deployed(CACHE);

    // The web app: health and readiness checks, two instances spread over racks.
    await a.register(this.leader());
    await b.register(this.leader());
    await this.user(
      new CreateAppCommand(
        {
          kind: 'CreateApp',
          app: {
            id: WEB,
            cmd: 'python3 -m http.server $PORT0',
            cpus: 0.5,
            mem: 256,
            instances: 2,
            env: { LOG_LEVEL: 'info' },
            labels: { team: 'golden' },
            constraints: [['rack', 'GROUP_BY']],
            portDefinitions: [{ port: 0, protocol: 'tcp', name: 'http' }],
            healthChecks: [
              {
                protocol: 'HTTP',
                path: '/health',
                portIndex: 0,
                gracePeriodSeconds: 30,
                intervalSeconds: 10,
                timeoutSeconds: 5,
                maxConsecutiveFailures: 3,
              },
            ],
            readinessChecks: [
              {
                name: 'readiness',
                protocol: 'HTTP',
                path: '/ready',
                portName: 'http',
                intervalSeconds: 5,
                timeoutSeconds: 2,
                httpStatusCodesForReady: [200],
              },
            ],
            fetch: [{ uri: 'https://artifacts.example/web-1.0.0.tgz' }],
          },
          force: false,
        },
        ANONYMOUS,
        this.origin('POST', '/v2/apps'),
      ),
    );
    await this.deployed(WEB);

    // The worker crashes at its first start: backoff, then an operator clears it.
    for (const agent of this.agents) agent.failNextTaskOf(WORKER);
    await this.user(
      new CreateAppCommand(
        {
          kind: 'CreateApp',
          app: {
            id: WORKER,
            args: ['/usr/bin/worker', '--queue', 'jobs'],
            cpus: 1,
            mem: 1024,
            instances: 1,
            backoffSeconds: 60,
            backoffFactor: 2,
            maxLaunchDelaySeconds: 600,
          },
          force: false,
        },
        ANONYMOUS,
        this.origin('POST', '/v2/apps'),
      ),
    );
    await this.run(2_000);
    for (const agent of this.agents) agent.clearFailures(); // one crash was meant, on whichever agent ran it
    await this.user(
      new ResetLaunchDelayCommand(
        { kind: 'ResetLaunchDelay', appId: WORKER },
        ANONYMOUS,
        this.origin('DELETE', `/v2/queue${WORKER}/delay`),
      ),
    );
    await this.deployed(WORKER);

    // An app that fits nowhere: every offer is declined; its deployment is rolled back.
    const huge = await this.user(
      new CreateAppCommand(
        { kind: 'CreateApp', app: { id: HUGE, cmd: 'sleep infinity', cpus: 64, mem: 128, instances: 1 }, force: false },
        ANONYMOUS,
        this.origin('POST', '/v2/apps'),
      ),
    );
    await this.run(3_000);
    const hugeDeployment = huge.events.find((e) => e.type === 'DeploymentStarted');
    if (!hugeDeployment || hugeDeployment.type !== 'DeploymentStarted')
      throw new Error('no deployment for the huge app');
    await this.user(
      new CancelDeploymentCommand(
        { kind: 'CancelDeployment', deploymentId: hugeDeployment.data.deploymentId, rollback: true },
        ANONYMOUS,
        this.origin('DELETE', `/v2/deployments/${hugeDeployment.data.deploymentId}`),
      ),
    );
    await this.deployed(HUGE);

    // Scale the web app up, then down (a kill chosen by killSelection).
    await this.scale(WEB, 3);
    await this.deployed(WEB);
    await this.scale(WEB, 2);
    await this.deployed(WEB);

    // A new configuration: a rolling replacement of every web task.
    await this.user(
      new UpdateAppCommand(
        { kind: 'UpdateApp', appId: WEB, body: { env: { LOG_LEVEL: 'debug' } }, partial: true, force: false },
        ANONYMOUS,
        this.origin('PUT', `/v2/apps${WEB}`),
      ),
    );
    await this.deployed(WEB);

    // A rolling restart with the same spec.
    await this.user(
      new RestartAppCommand(
        { kind: 'RestartApp', appId: WORKER, force: false },
        ANONYMOUS,
        this.origin('POST', `/v2/apps${WORKER}/restart`),
      ),
    );
    await this.deployed(WORKER);

    // A web task fails its health check three times: killed, and its app backs off.
    const sick = this.runningTask(WEB);
    await sick.agent.failHealth(sick.taskId, 3);
    await this.run(5_000);
    // An operator kills one web task (it is replaced once the backoff allows).
    const killed = this.runningTask(WEB);
    await this.user(
      new KillTasksCommand(
        { kind: 'KillTasks', taskIds: [killed.taskId], scale: false, force: false },
        ANONYMOUS,
        this.origin('DELETE', `/v2/apps${WEB}/tasks/${killed.taskId}`),
      ),
    );
    await this.run(5_000);

    // node-c's stream breaks and it stays away: unreachable; its cache task is kept, then replaced.
    await c.disconnect();
    await this.run(CONFIG.agentUnreachableMs + 35_000);

    // Failover: the leader stops, the standby takes over; agents register with it again.
    await this.failover();
    await a.register(this.leader());
    await b.register(this.leader());
    await this.run(3_000);
    // node-c comes back with its cache task still running: adopted back, the surplus killed.
    await c.register(this.leader());
    await this.run(5_000);

    // node-a goes into maintenance: its tasks move elsewhere in a deployment within each app's
    // upgradeStrategy (what cannot move by the deadline is killed) and the drain ends; then it is
    // back in service.
    const nodeA = a.agentId!;
    await this.user(
      new DrainAgentCommand(
        { kind: 'DrainAgent', agentId: nodeA, deadlineSeconds: 30, force: true },
        ANONYMOUS,
        this.origin('POST', `/v1/agents/${nodeA}/drain`),
      ),
    );
    for (let elapsed = 0; this.leader().runtime.projection.state.agents.get(nodeA)?.drain?.state !== 'DRAINED';) {
      if ((elapsed += CONFIG.tickMs) > 60_000) throw new Error('node-a was not drained in 60 s');
      await this.run(CONFIG.tickMs);
    }
    await this.user(
      new ReactivateAgentCommand(
        { kind: 'ReactivateAgent', agentId: nodeA },
        ANONYMOUS,
        this.origin('POST', `/v1/agents/${nodeA}/reactivate`),
      ),
    );
    await this.deployed(WEB);
    await this.deployed(WORKER);

    // A group: created with an app, given a dependency on the web app, then deleted with its app.
    await this.user(
      new ChangeGroupCommand(
        {
          kind: 'ChangeGroup',
          group: { id: TOOLS, apps: [{ id: CRON, cmd: 'sleep 1000', cpus: 0.1, mem: 16, instances: 1 }] },
          mode: 'create',
          force: false,
        },
        ANONYMOUS,
        this.origin('POST', '/v2/groups'),
      ),
    );
    await this.deployed(CRON);
    await this.user(
      new ChangeGroupCommand(
        { kind: 'ChangeGroup', group: { id: TOOLS, dependencies: [WEB] }, mode: 'update', force: false },
        ANONYMOUS,
        this.origin('PUT', `/v2/groups${TOOLS}`),
      ),
    );
    await this.user(
      new DeleteGroupCommand(
        { kind: 'DeleteGroup', groupId: TOOLS, force: false },
        ANONYMOUS,
        this.origin('DELETE', `/v2/groups${TOOLS}`),
      ),
    );
    await this.deployed(CRON);

    // The worker is deleted: its task killed, a StopApplication deployment.
    await this.user(
      new DeleteAppCommand(
        { kind: 'DeleteApp', appId: WORKER, force: true },
        ANONYMOUS,
        this.origin('DELETE', `/v2/apps${WORKER}`),
      ),
    );
    await this.deployed(WORKER);
    // Whatever the snapshotter still has to record.
    await this.run(2_000);
  }

  leader(): InProcessMaster {
    const leaders = this.masters.filter((m) => m.runtime.isReady);
    if (leaders.length !== 1) throw new Error(`expected one leader, found ${leaders.length}`);
    return leaders[0];
  }

  async close(): Promise<void> {
    for (const master of this.masters.splice(0)) await master.close().catch(() => undefined);
  }

  private async scale(appId: string, instances: number): Promise<void> {
    await this.user(
      new UpdateAppCommand(
        { kind: 'UpdateApp', appId, body: { instances }, partial: true, force: false },
        ANONYMOUS,
        this.origin('PUT', `/v2/apps${appId}`),
      ),
    );
  }

  /** Sends a user's command to the leader and lets the cluster settle on its consequences. */
  private async user(command: object): Promise<CommandOutcome> {
    const outcome = (await this.leader().commands.execute(command as never)) as CommandOutcome;
    await this.settle();
    return outcome;
  }

  /** Simulated time passes, one tick at a time; the agents act between ticks. */
  private async run(ms: number): Promise<void> {
    for (let elapsed = 0; elapsed < ms; elapsed += CONFIG.tickMs) {
      // In steps shorter than the election's heartbeat: one long jump would lapse the leader's lease.
      for (let step = 0; step < CONFIG.tickMs; step += STEP_MS) {
        this.clock.advance(STEP_MS);
        await this.settle();
      }
      for (const agent of this.agents) {
        if ((await agent.work()) > 0) await this.settle();
      }
    }
  }

  private async failover(): Promise<void> {
    const old = this.leader();
    const next = this.masters.find((m) => m !== old)!;
    for (const agent of this.agents) agent.forget();
    this.masters.splice(this.masters.indexOf(old), 1);
    await old.close();
    await this.until(() => next.runtime.isReady);
  }

  /** Runs, tick by tick, until no deployment locks `appId` (the scenario waits as a careful operator does). */
  private async deployed(appId: string, limitMs = 60_000): Promise<void> {
    for (let elapsed = 0; this.leader().runtime.projection.state.deploymentOfApp.has(appId); elapsed += CONFIG.tickMs) {
      if (elapsed > limitMs) throw new Error(`the deployment of ${appId} did not finish in ${limitMs} ms`);
      await this.run(CONFIG.tickMs);
    }
  }

  /** Advances the clock in small steps, settling between them, until `done()`. */
  private async until(done: () => boolean, limitMs = 30_000): Promise<void> {
    for (let elapsed = 0; !done(); elapsed += STEP_MS) {
      if (elapsed > limitMs) throw new Error(`the golden scenario is stuck: not done after ${limitMs} ms`);
      this.clock.advance(STEP_MS);
      await this.settle();
    }
  }

  /**
   * Lets the masters finish what they are doing without moving the clock: nothing appended for a
   * while and no snapshot in progress (its compression runs off the main thread, so event-loop
   * turns alone do not tell). Settling before every clock step is what makes the log a function of
   * the script: no decision races the clock.
   */
  private async settle(): Promise<void> {
    let records = this.store.records.length;
    let quietTurns = 0;
    let quietSince = performance.now();
    while (quietTurns < QUIET_TURNS || performance.now() - quietSince < QUIET_MS || this.snapshotting()) {
      await nextTurn();
      if (TRACE) this.trace();
      if (this.store.records.length !== records || this.snapshotting()) {
        records = this.store.records.length;
        quietTurns = 0;
        quietSince = performance.now();
      } else quietTurns++;
    }
  }

  private traced = 0;
  /** GOLDEN_TRACE=1: prints each event as it is appended (to see where a scenario got stuck). */
  private trace(): void {
    for (const record of this.store.records.slice(this.traced)) {
      const e = JSON.parse(record.value.toString('utf8')) as { type: string; at: string; data: unknown };
      process.stderr.write(`${record.offset} ${e.at} ${e.type} ${JSON.stringify(e.data).slice(0, 160)}\n`);
    }
    this.traced = this.store.records.length;
  }

  private snapshotting(): boolean {
    return this.masters.some((m) => snapshotInProgress(m));
  }

  private runningTask(appId: string): { agent: ScriptedAgent; taskId: string } {
    for (const agent of this.agents) {
      const [taskId] = agent.runningTaskIds(appId);
      if (taskId) return { agent, taskId };
    }
    throw new Error(`no running task of ${appId}`);
  }

  private origin(method: string, path: string): RequestOrigin {
    return { remoteAddress: ADMIN_ADDRESS, method, path, requestId: `req-${++this.requests}` };
  }
}

/**
 * Whether the master's snapshotter is writing a snapshot. MasterRuntime does not expose it (nothing
 * in production needs to know), so this reads its private fields, loudly: a rename fails here
 * instead of silently making the scenario racy.
 */
function snapshotInProgress(master: InProcessMaster): boolean {
  const runtime = master.runtime as unknown as Record<string, unknown>;
  if (!('snapshotter' in runtime)) throw new Error('MasterRuntime has no snapshotter field: update golden-scenario.ts');
  const snapshotter = runtime.snapshotter as Record<string, unknown> | null;
  if (snapshotter === null) return false;
  if (!('running' in snapshotter)) throw new Error('Snapshotter has no running field: update golden-scenario.ts');
  return snapshotter.running !== null;
}
