import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { SeededIdSource, SystemClock, type Clock } from '@cairn/common';
import type { EventLog, SnapshotStore } from '@cairn/eventlog';
import { commandHandlers } from './commands';
import type { CairnConfig } from './config/cairn-config';
import { MasterRuntime, type CreateElection, type OpenLogWriter } from './core/master-runtime';
import { AppsController } from './http/apps.controller';
import { GroupsController } from './http/groups.controller';
import { MarathonExceptionFilter } from './http/errors';
import { HistoryController } from './http/history.controller';
import { WhyController } from './http/why.controller';
import { AuditController } from './http/audit.controller';
import { EventsController } from './http/events.controller';
import { InfoController } from './http/info.controller';
import { LeaderController } from './http/leader.controller';
import { MarathonEventsController } from './http/marathon-events/marathon-events.controller';
import {
  AGENT_TOKEN,
  CAIRN_CONFIG,
  CLOCK,
  CREATE_ELECTION,
  EVENT_LOG,
  ID_SOURCE,
  OPEN_LOG_WRITER,
  SNAPSHOT_STORE,
} from './tokens';
import { AgentGateway } from './agents/agent-gateway';
import { AgentTokenGuard } from './agents/agent-token.guard';
import { AgentsInternalController } from './agents/agents-internal.controller';
import { SchedulerTicker } from './agents/scheduler-ticker';
import { ClusterController } from './http/cluster.controller';
import { ClusterVersionController } from './http/cluster-version.controller';
import { TasksController } from './http/tasks.controller';
import { DeploymentsController } from './http/deployments.controller';
import { DeploymentProgressController } from './http/deployment-progress.controller';
import { eventHandlers } from './effects';
import { EventLoopMonitor } from './core/event-loop-monitor';
import { DryRunner } from './dry-run/dry-runner';
import { MasterMetrics } from './metrics/master-metrics';
import { ReadViews } from './http/read-views';
import { MetricsController } from './metrics/metrics.controller';

export interface MasterModuleOptions {
  readonly config: CairnConfig;
  /** The log as a reader (on the file log: its single writer, opened at start). */
  readonly log: EventLog;
  readonly openWriter: OpenLogWriter;
  readonly createElection: CreateElection;
  readonly snapshots: SnapshotStore;
  /** The master's only source of time (default: the system clock; a ManualClock in simulation). */
  readonly clock?: Clock;
  readonly seed: string;
  readonly agentToken: string;
}

/** Every controller of the master: the OpenAPI document is built from them (http/openapi). */
export const MASTER_CONTROLLERS = [
  InfoController,
  LeaderController,
  AppsController,
  GroupsController,
  EventsController,
  HistoryController,
  WhyController,
  AuditController,
  MarathonEventsController,
  TasksController,
  ClusterController,
  ClusterVersionController,
  DeploymentsController,
  DeploymentProgressController,
  AgentsInternalController,
  MetricsController,
];

/** The control plane: REST edge -> CommandBus -> sequencer -> log -> projection. */
@Module({})
export class MasterModule {
  static register(options: MasterModuleOptions): DynamicModule {
    return {
      module: MasterModule,
      imports: [CqrsModule.forRoot()],
      controllers: MASTER_CONTROLLERS,
      providers: [
        { provide: CAIRN_CONFIG, useValue: options.config },
        { provide: EVENT_LOG, useValue: options.log },
        { provide: OPEN_LOG_WRITER, useValue: options.openWriter },
        { provide: CREATE_ELECTION, useValue: options.createElection },
        { provide: SNAPSHOT_STORE, useValue: options.snapshots },
        { provide: CLOCK, useValue: options.clock ?? new SystemClock() },
        { provide: ID_SOURCE, useValue: new SeededIdSource(options.seed) },
        { provide: AGENT_TOKEN, useValue: options.agentToken },
        { provide: APP_FILTER, useClass: MarathonExceptionFilter },
        MasterRuntime,
        EventLoopMonitor,
        AgentGateway,
        AgentTokenGuard,
        SchedulerTicker,
        DryRunner,
        ReadViews,
        MasterMetrics,
        ...eventHandlers,
        ...commandHandlers,
      ],
    };
  }
}
