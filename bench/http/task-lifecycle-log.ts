import { join } from 'node:path';
import { withAppDefaults } from '@cairn/domain';
import { type CairnEvent, encodeEvent } from '@cairn/events';
import { FileEventLog } from '@cairn/eventlog/file/file-event-log';
import { benchEnvelopes } from '../fixtures/bench-envelopes';

const EPOCH_MS = Date.parse('2026-01-01T00:00:00.000Z');
const APP_ID = '/bench/events/web';
const AGENT_ID = 'bench-agent-1';
const BATCH = 1_000;
const CHECK = {
  protocol: 'HTTP' as const,
  path: '/',
  portIndex: 0,
  port: null,
  command: null,
  gracePeriodSeconds: 30,
  intervalSeconds: 1,
  timeoutSeconds: 2,
  maxConsecutiveFailures: 3,
  delaySeconds: 0,
  ignoreHttp1xx: false,
};

/**
 * A master's data dir whose file log holds a cluster's busy hour: an agent, an app, then task
 * lifecycles (launch, STARTING, RUNNING, healthy, KILLED: 5 events, 9 Marathon events each), so
 * /v2/events renders most of what it reads. A master opens it as its own log (it replays it first).
 * Returns the offset of the last event written.
 */
export async function writeTaskLifecycleLog(dataDir: string, tasks: number): Promise<number> {
  const log = new FileEventLog({ dir: join(dataDir, 'log') });
  await log.open();
  const { envelope, uuid } = benchEnvelopes('bench-marathon-events', EPOCH_MS);
  const version = new Date(EPOCH_MS).toISOString();
  const head: CairnEvent[] = [
    envelope('AgentRegistered', {
      agentId: AGENT_ID,
      hostname: 'node-1',
      filesPort: 5051,
      resources: { cpus: 1_000, mem: 1_000_000, disk: 0, ports: [[31000, 32999]] },
      attributes: {},
      capabilities: ['MESOS'],
    }),
    envelope('AppCreated', {
      app: withAppDefaults(
        { id: APP_ID, cmd: 'sleep 3600', cpus: 0.01, mem: 8, instances: 0, healthChecks: [CHECK] },
        version,
        {
          lastScalingAt: version,
          lastConfigChangeAt: version,
        },
      ),
    }),
  ];
  let last = -1;
  let batch: CairnEvent[] = head;
  const flush = async () => {
    if (batch.length === 0) return;
    const { offsets } = await log.append(batch.map(encodeEvent));
    last = offsets[offsets.length - 1];
    batch = [];
  };
  for (let i = 0; i < tasks; i++) {
    const taskId = `bench_events_web.00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
    const port = 31000 + (i % 2000);
    const status = (state: 'TASK_STARTING' | 'TASK_RUNNING' | 'TASK_KILLED') =>
      envelope('TaskStatusUpdated', {
        taskId,
        agentId: AGENT_ID,
        state,
        updateId: uuid(),
        reason: null,
        message: null,
        exitCode: null,
      });
    batch.push(
      envelope('TaskLaunched', {
        taskId,
        appId: APP_ID,
        appVersion: version,
        agentId: AGENT_ID,
        host: 'node-1',
        offerId: `offer-${i}`,
        resources: { cpus: 0.01, mem: 8, disk: 0, ports: [[port, port]] },
        ports: [port],
        portNames: [null],
        command: { shell: true, value: 'sleep 3600' },
        env: {},
        killGracePeriodSeconds: null,
        healthChecks: [CHECK],
        readinessChecks: [],
        placement: null,
        fetch: [],
      }),
      status('TASK_STARTING'),
      status('TASK_RUNNING'),
      envelope('TaskHealthChanged', {
        taskId,
        appId: APP_ID,
        checkIndex: 0,
        alive: true,
        consecutiveFailures: 0,
        firstSuccess: version,
        lastSuccess: version,
        lastFailure: null,
        lastFailureCause: null,
        updateId: uuid(),
      }),
      status('TASK_KILLED'),
    );
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  await log.close();
  return last;
}
