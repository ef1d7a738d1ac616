import { join } from 'node:path';
import { withAppDefaults } from '@cairn/domain';
import { type CairnEvent, encodeEvent, EVENT_FORMAT_LEVEL } from '@cairn/events';
import { FileEventLog } from '@cairn/eventlog/file/file-event-log';
import { benchEnvelopes } from '../fixtures/bench-envelopes';

const EPOCH_MS = Date.parse('2026-01-01T00:00:00.000Z');
const TEAMS = 40;
const BATCH = 2_000;
/** Ports each agent offers (31000-32999): tasks per agent must stay below it. */
const PORTS_PER_AGENT = 2_000;

export interface ClusterShape {
  readonly apps: number;
  /** Apps with 0 instances and no task (the last ones): what the scale PUTs change. */
  readonly idleApps: number;
  /** RUNNING tasks, spread over the other apps (instances = their tasks: nothing to launch). */
  readonly tasks: number;
  readonly agents: number;
}

export interface SizedClusterLog {
  readonly lastOffset: number;
  readonly events: number;
  /** Apps with tasks, in creation order. */
  readonly busyAppIds: string[];
  readonly idleAppIds: string[];
}

export function appIdOf(index: number): string {
  return `/bench/team-${index % TEAMS}/app-${index}`;
}

/**
 * A master's data dir whose file log holds a cluster at size, written directly (launching 200,000
 * tasks through agents takes minutes): the cluster version raised to this release's level (as a
 * new log's first leader does), `agents` AgentRegistered, `apps` AppCreated, then per task its
 * TaskLaunched and a TaskStatusUpdated RUNNING. Every envelope goes through `encodeEvent`, so each
 * is valid against the event schemas, and the master folds them with its own `evolve` when it
 * replays the log at start.
 */
export async function writeSizedClusterLog(dataDir: string, shape: ClusterShape): Promise<SizedClusterLog> {
  const busy = shape.apps - shape.idleApps;
  if (busy < 1 || shape.tasks < busy) throw new Error('every busy app needs a task at least');
  if (shape.tasks / shape.agents >= PORTS_PER_AGENT) throw new Error('too many tasks per agent for its ports');
  const log = new FileEventLog({ dir: join(dataDir, 'log') });
  await log.open();
  const { envelope, now, uuid } = benchEnvelopes('bench-rest-size', EPOCH_MS);
  let events = 0;
  let last = -1;
  let batch: CairnEvent[] = [];
  const push = async (event: CairnEvent) => {
    batch.push(event);
    if (batch.length >= BATCH) await flush();
  };
  const flush = async () => {
    if (batch.length === 0) return;
    const { offsets } = await log.append(batch.map(encodeEvent));
    last = offsets[offsets.length - 1];
    events += batch.length;
    batch = [];
  };

  await push(envelope('ClusterVersionRaised', { version: EVENT_FORMAT_LEVEL, previous: 1, leader: 'bench:0' }));
  const agentId = (i: number) => `bench-agent-${i}`;
  const perAgent = Math.ceil(shape.tasks / shape.agents);
  for (let i = 0; i < shape.agents; i++) {
    await push(
      envelope('AgentRegistered', {
        agentId: agentId(i),
        hostname: `node-${i}`,
        filesPort: 5051,
        // Room for its share of the tasks and as many again (what a scale PUT may place).
        resources: { cpus: perAgent * 0.02 + 1, mem: perAgent * 16 + 256, disk: 0, ports: [[31000, 32999]] },
        attributes: { rack: `rack-${i % 20}` },
        capabilities: ['MESOS'],
      }),
    );
  }
  const versions: string[] = [];
  const instances = (i: number) => (i >= busy ? 0 : Math.floor(shape.tasks / busy) + (i < shape.tasks % busy ? 1 : 0));
  for (let i = 0; i < shape.apps; i++) {
    const version = now();
    versions.push(version);
    const app = withAppDefaults(
      {
        id: appIdOf(i),
        cmd: `python3 -m http.server $PORT0 --directory /srv/app-${i}`,
        cpus: 0.01,
        mem: 8,
        instances: instances(i),
        env: { LOG_LEVEL: 'info' },
        labels: { team: `team-${i % TEAMS}` },
      },
      version,
      { lastScalingAt: version, lastConfigChangeAt: version },
    );
    await push(envelope('AppCreated', { app }));
  }
  let task = 0;
  for (let i = 0; i < busy; i++) {
    const appId = appIdOf(i);
    const prefix = appId.slice(1).replace(/\//g, '_');
    for (let n = 0; n < instances(i); n++, task++) {
      const taskId = `${prefix}.00000000-0000-4000-8000-${task.toString(16).padStart(12, '0')}`;
      const agent = task % shape.agents;
      const port = 31000 + Math.floor(task / shape.agents);
      await push(
        envelope('TaskLaunched', {
          taskId,
          appId,
          appVersion: versions[i],
          agentId: agentId(agent),
          host: `node-${agent}`,
          offerId: `offer-${task}`,
          resources: { cpus: 0.01, mem: 8, disk: 0, ports: [[port, port]] },
          ports: [port],
          portNames: [null],
          command: { shell: true, value: `python3 -m http.server $PORT0 --directory /srv/app-${i}` },
          env: { LOG_LEVEL: 'info' },
          killGracePeriodSeconds: null,
          healthChecks: [],
          readinessChecks: [],
          placement: null,
          fetch: [],
        }),
      );
      await push(
        envelope('TaskStatusUpdated', {
          taskId,
          agentId: agentId(agent),
          state: 'TASK_RUNNING',
          updateId: uuid(),
          reason: null,
          message: null,
          exitCode: null,
        }),
      );
    }
  }
  await flush();
  await log.close();
  return {
    lastOffset: last,
    events,
    busyAppIds: Array.from({ length: busy }, (_, i) => appIdOf(i)),
    idleAppIds: Array.from({ length: shape.idleApps }, (_, i) => appIdOf(busy + i)),
  };
}
