import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import type { INestApplicationContext } from '@nestjs/common';
import type { Clock } from '@cairn/common';
import { MemoryEventLog, MemoryLogStore, MemorySnapshotStore } from '@cairn/eventlog';
import { memoryElection, type MemoryElectionTopic } from '@cairn/election';
import { loadConfig, type CairnConfig } from '../config/cairn-config';
import { MasterRuntime } from '../core/master-runtime';
import { AgentGateway } from '../agents/agent-gateway';
import { SchedulerTicker } from '../agents/scheduler-ticker';
import { MasterModule } from '../master.module';

/** What masters of one simulated cluster share: the log, the election topic, snapshots and time. */
export interface SimulatedCluster {
  readonly store: MemoryLogStore;
  readonly electionTopic: MemoryElectionTopic;
  readonly snapshots: MemorySnapshotStore;
  readonly clock: Clock;
}

export interface InProcessMaster {
  readonly instance: string;
  readonly runtime: MasterRuntime;
  /** The entry every write takes (the REST and agent controllers send their commands here). */
  readonly commands: CommandBus;
  /** Agents' command streams: a simulated agent connects an in-memory channel here. */
  readonly gateway: AgentGateway;
  /** Starts it (replay, follow, campaign); resolves once it serves, as `cairn master` does. */
  start(): Promise<void>;
  /** A clean stop: a leader resigns first. */
  close(): Promise<void>;
}

/**
 * A whole master (the Nest module, its runtime, sequencer and command handlers) in this process,
 * on the memory log and a memory election, with the given clock and seed: no sockets, no files,
 * no timers but the clock's. The seam a deterministic simulation drives leader changes through;
 * the HTTP edge and the agent API are not served (they are the same code over the same runtime):
 * a caller sends their commands on `commands` and connects agents' streams to `gateway`.
 */
export async function createInProcessMaster(
  cluster: SimulatedCluster,
  options: { instance: string; seed: string; config?: Partial<CairnConfig> },
): Promise<InProcessMaster> {
  const config = loadConfig({}, { log: 'kafka', kafkaBrokers: ['memory'], ...options.config });
  const log = new MemoryEventLog({ store: cluster.store, readOnly: true });
  const app: INestApplicationContext = await NestFactory.createApplicationContext(
    MasterModule.register({
      config,
      log,
      seed: options.seed,
      agentToken: 'in-process',
      snapshots: cluster.snapshots,
      clock: cluster.clock,
      openWriter: async () => {
        const writer = new MemoryEventLog({ store: cluster.store });
        await writer.open();
        return writer;
      },
      createElection: (candidate, minTerm) =>
        memoryElection({
          topic: cluster.electionTopic,
          candidate,
          clock: cluster.clock,
          minTerm,
          timings: { heartbeatMs: config.electionHeartbeatMs, electionTimeoutMs: config.electionTimeoutMs },
        }),
    }),
    { logger: false },
  );
  const runtime = app.get(MasterRuntime);
  const gateway = app.get(AgentGateway);
  // Wired as `cairn master` wires them (apps/master/src/main.ts): a deposed leader drops its agents'
  // streams, and the clock's ticks (agent timeouts, backoff expiry) start once start-up is done.
  runtime.onRoleChange((leading) => leading || gateway.disconnectAll());
  return {
    instance: options.instance,
    runtime,
    commands: app.get(CommandBus),
    gateway,
    start: async () => {
      await runtime.start(options.instance);
      app.get(SchedulerTicker).start();
    },
    close: () => app.close(),
  };
}
