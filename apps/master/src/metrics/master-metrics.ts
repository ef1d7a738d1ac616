import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { CairnEvent, RecordedEvent } from '@cairn/events';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { EventLoopMonitor } from '../core/event-loop-monitor';
import { MasterRuntime } from '../core/master-runtime';
import { EVENT_LOG } from '../tokens';
import type { EventLog } from '@cairn/eventlog';

/** Seconds: REST calls are served from memory (ms) or wait for a durable append (tens of ms). */
const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const APPEND_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const BATCH_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 512];
/** Deployments take seconds to hours. */
const DEPLOYMENT_BUCKETS = [1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200];
/** Deployments whose start this process saw, for their duration (bounded: a leak would be silent). */
const OPEN_DEPLOYMENTS_MAX = 100_000;

/**
 * The master's metrics (Prometheus, and Marathon's JSON `/metrics` rendered from the same registry).
 *
 * - Counters are this process's: what it applied live (as leader or standby: start-up replay is not
 *   counted), what its sequencer appended, the REST calls it served. They start at 0 with the process,
 *   as Prometheus expects; compare deltas, or `cairn_applied_offset`, across a restart.
 * - Gauges of the cluster come from the fold at scrape time (apps, tasks by state, agents by status,
 *   deployments), so every master reports the same cluster.
 *
 * One registry per master (not prom-client's global one): tests run several masters in one process.
 */
@Injectable()
export class MasterMetrics implements OnModuleInit {
  readonly registry = new Registry();
  private readonly eventsApplied: Counter<'type'>;
  private readonly offersMade: Counter;
  private readonly offersDeclined: Counter;
  private readonly offersAccepted: Counter;
  private readonly launches: Counter;
  private readonly statusUpdates: Counter<'state'>;
  private readonly healthTransitions: Counter<'result'>;
  private readonly deploymentsEnded: Counter<'outcome'>;
  private readonly deploymentDuration: Histogram<'outcome'>;
  private readonly appendDuration: Histogram;
  private readonly eventsAppended: Counter;
  private readonly batchCommands: Histogram;
  private readonly refusedFull: Counter<'lane'>;
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  private readonly deploymentStarts = new Map<string, number>();

  constructor(
    private readonly runtime: MasterRuntime,
    private readonly loop: EventLoopMonitor,
    @Inject(EVENT_LOG) private readonly log: EventLog,
  ) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.eventsApplied = new Counter({
      name: 'cairn_events_applied_total',
      help: 'Events this master applied live (as leader or standby; start-up replay not counted), by type',
      labelNames: ['type'],
      registers,
    });
    this.offersMade = counter('cairn_offers_made_total', 'Offers made (one per agent per allocation pass)');
    this.offersDeclined = counter('cairn_offers_declined_total', 'Offers declined');
    this.offersAccepted = counter('cairn_offers_accepted_total', 'Offers accepted');
    this.launches = counter('cairn_task_launches_total', 'Tasks launched');
    this.statusUpdates = new Counter({
      name: 'cairn_task_status_updates_total',
      help: 'Task status updates applied, by state',
      labelNames: ['state'],
      registers,
    });
    this.healthTransitions = new Counter({
      name: 'cairn_health_transitions_total',
      help: 'Health check transitions, by result (alive, failed)',
      labelNames: ['result'],
      registers,
    });
    this.deploymentsEnded = new Counter({
      name: 'cairn_deployments_ended_total',
      help: 'Deployments ended, by outcome (finished, cancelled)',
      labelNames: ['outcome'],
      registers,
    });
    this.deploymentDuration = new Histogram({
      name: 'cairn_deployment_duration_seconds',
      help: 'Deployment durations (start to end by their events, for deployments this master saw start), by outcome',
      labelNames: ['outcome'],
      buckets: DEPLOYMENT_BUCKETS,
      registers,
    });
    this.appendDuration = new Histogram({
      name: 'cairn_log_append_duration_seconds',
      help: "The sequencer's appends (group commits), until durable",
      buckets: APPEND_BUCKETS,
      registers,
    });
    this.eventsAppended = counter('cairn_events_appended_total', 'Events this master appended to the log');
    this.batchCommands = new Histogram({
      name: 'cairn_sequencer_batch_commands',
      help: 'Commands per appended batch',
      buckets: BATCH_BUCKETS,
      registers,
    });
    this.refusedFull = new Counter({
      name: 'cairn_sequencer_refused_total',
      help: 'Commands refused (503) because their sequencer lane was full, by lane (api, agent)',
      labelNames: ['lane'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'cairn_http_request_duration_seconds',
      help: 'REST requests served, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: HTTP_BUCKETS,
      registers,
    });
    this.gauges();

    function counter(name: string, help: string): Counter {
      return new Counter({ name, help, registers });
    }
  }

  onModuleInit(): void {
    this.runtime.onLiveEvents((events) => this.observeEvents(events));
    this.runtime.observeSequencer({
      batchAppended: ({ commands, records, appendMs }) => {
        this.appendDuration.observe(appendMs / 1000);
        this.eventsAppended.inc(records);
        this.batchCommands.observe(commands);
      },
      refusedFull: (lane) => this.refusedFull.inc({ lane }),
    });
  }

  /** One REST request: `route` is the route's pattern (`/v2/apps/*`), never the raw URL. */
  observeHttp(method: string, route: string, status: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status: String(status) }, seconds);
  }

  observeEvents(events: readonly RecordedEvent<CairnEvent>[]): void {
    for (const event of events) {
      this.eventsApplied.inc({ type: event.type });
      switch (event.type) {
        case 'OffersMade':
          this.offersMade.inc(event.data.offers.length);
          break;
        case 'OfferDeclined':
          this.offersDeclined.inc();
          break;
        case 'OffersDeclined':
          this.offersDeclined.inc(event.data.offers.length);
          break;
        case 'OfferAccepted':
          this.offersAccepted.inc();
          break;
        case 'TaskLaunched':
          this.launches.inc();
          break;
        case 'TaskStatusUpdated':
          this.statusUpdates.inc({ state: event.data.state });
          break;
        case 'TaskHealthChanged':
          this.healthTransitions.inc({ result: event.data.alive ? 'alive' : 'failed' });
          break;
        case 'DeploymentStarted':
          if (this.deploymentStarts.size < OPEN_DEPLOYMENTS_MAX) {
            this.deploymentStarts.set(event.data.deploymentId, Date.parse(event.at));
          }
          break;
        case 'DeploymentFinished':
          this.deploymentEnded(event.data.deploymentId, 'finished', event.at);
          break;
        case 'DeploymentCancelled':
          this.deploymentEnded(event.data.deploymentId, 'cancelled', event.at);
          break;
        default:
          break;
      }
    }
  }

  private deploymentEnded(deploymentId: string, outcome: string, at: string): void {
    this.deploymentsEnded.inc({ outcome });
    const started = this.deploymentStarts.get(deploymentId);
    this.deploymentStarts.delete(deploymentId);
    if (started !== undefined)
      this.deploymentDuration.observe({ outcome }, Math.max(0, Date.parse(at) - started) / 1000);
  }

  /** Gauges read when scraped: the cluster from the fold, and this master's own position. */
  private gauges(): void {
    const registers = [this.registry];
    const runtime = this.runtime;
    const log = this.log;
    const loop = this.loop;
    new Gauge({
      name: 'cairn_leader',
      help: '1 while this master leads (accepts commands)',
      registers,
      collect() {
        this.set(runtime.isReady ? 1 : 0);
      },
    });
    new Gauge({
      name: 'cairn_applied_offset',
      help: 'The last log offset this master applied',
      registers,
      collect() {
        this.set(runtime.projection.appliedOffset);
      },
    });
    new Gauge({
      name: 'cairn_standby_lag_offsets',
      help: "Offsets in the log this master has not applied yet (a standby's lag; about 0 on the leader)",
      registers,
      async collect() {
        const end = await log.endOffset().catch(() => null);
        if (end !== null) this.set(Math.max(0, end - 1 - runtime.projection.appliedOffset));
      },
    });
    new Gauge({
      name: 'cairn_sequencer_queue_depth',
      help: 'Commands waiting for the sequencer',
      registers,
      collect() {
        this.set(runtime.sequencerQueueDepth);
      },
    });
    new Gauge({
      name: 'cairn_event_loop_delay_seconds',
      help: "How late this master's event loop ran timers since it started (docs/operations.md, stall budget)",
      labelNames: ['quantile'],
      registers,
      collect() {
        const delay = loop.snapshot();
        this.set({ quantile: '0.5' }, delay.delayP50Ms / 1000);
        this.set({ quantile: '0.99' }, delay.delayP99Ms / 1000);
        this.set({ quantile: 'max' }, delay.delayMaxMs / 1000);
      },
    });
    new Gauge({
      name: 'cairn_apps',
      help: 'Apps (from the fold)',
      registers,
      collect() {
        this.set(runtime.projection.state.apps.size);
      },
    });
    new Gauge({
      name: 'cairn_tasks',
      help: 'Tasks not ended, by state (from the fold)',
      labelNames: ['state'],
      registers,
      collect() {
        this.reset();
        const byState = new Map<string, number>();
        for (const task of runtime.projection.state.tasks.values()) {
          byState.set(task.state, (byState.get(task.state) ?? 0) + 1);
        }
        for (const [state, count] of byState) this.set({ state }, count);
      },
    });
    new Gauge({
      name: 'cairn_agents',
      help: 'Agents, by status (from the fold)',
      labelNames: ['status'],
      registers,
      collect() {
        this.reset();
        for (const status of ['ACTIVE', 'DISCONNECTED', 'UNREACHABLE']) this.set({ status }, 0);
        for (const agent of runtime.projection.state.agents.values()) this.inc({ status: agent.status });
      },
    });
    new Gauge({
      name: 'cairn_deployments',
      help: 'Deployments in progress (from the fold)',
      registers,
      collect() {
        this.set(runtime.projection.state.deployments.size);
      },
    });
  }
}
