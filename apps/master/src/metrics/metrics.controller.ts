import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import type { EventLog } from '@cairn/eventlog';
import type { FastifyReply } from 'fastify';
import { MasterRuntime } from '../core/master-runtime';
import { EVENT_LOG } from '../tokens';
import { marathonMetricsJson } from './marathon-metrics-json';
import { MasterMetrics } from './master-metrics';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiJson, RETRY_AFTER } from '../http/openapi/decorators';

/**
 * A standby this close to the log's end is ready: it serves reads that are at most this many
 * events old (its writes go to the leader). Further behind (catching up after a restart, or
 * stuck), a load balancer should send its traffic elsewhere.
 */
export const READY_LAG_MAX_OFFSETS = 1_000;

/**
 * Metrics and health: Marathon's `/metrics` (JSON) and `/metrics/prometheus`, and the probes a load
 * balancer or an orchestrator uses. None of them needs the master to be ready or leading.
 */
@ApiTags('cairn')
@Controller()
export class MetricsController {
  constructor(
    private readonly metrics: MasterMetrics,
    private readonly runtime: MasterRuntime,
    @Inject(EVENT_LOG) private readonly log: EventLog,
  ) {}

  @ApiOperation({ summary: "Marathon's metrics JSON (counters, gauges, histograms of this process)" })
  @ApiJson(
    200,
    {
      type: 'object',
      properties: {
        version: { type: 'string' },
        counters: { type: 'object' },
        gauges: { type: 'object' },
        histograms: { type: 'object' },
        meters: { type: 'object' },
        timers: { type: 'object' },
      },
    },
    'The metrics',
  )
  @Get('metrics')
  async marathon() {
    return marathonMetricsJson(await this.metrics.registry.getMetricsAsJSON());
  }

  @ApiOperation({ summary: 'The same metrics in the Prometheus text format' })
  @ApiProduces('text/plain')
  @ApiResponse({ status: 200, description: 'The metrics', content: { 'text/plain': { schema: { type: 'string' } } } })
  @Get('metrics/prometheus')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async prometheus(): Promise<string> {
    return this.metrics.registry.metrics();
  }

  /** Liveness: the process serves HTTP. A stuck event loop fails it by not answering. */
  @ApiOperation({ summary: 'Liveness: the process serves HTTP (open without credentials)', security: [] })
  @ApiJson(
    200,
    {
      type: 'object',
      properties: { status: { type: 'string', enum: ['live'] }, phase: { type: 'string' } },
      required: ['status', 'phase'],
    },
    'Live',
  )
  @Get('v1/health/live')
  live() {
    return { status: 'live', phase: this.runtime.currentPhase };
  }

  /**
   * Readiness: the leader, or a standby within READY_LAG_MAX_OFFSETS of the log's end; 503 with
   * Retry-After otherwise (starting, replaying, promoting, halted, stopped, or lagging).
   */
  @ApiOperation({
    summary: 'Readiness: the leader, or a standby close behind the log (open without credentials)',
    security: [],
  })
  @ApiJson(
    200,
    {
      type: 'object',
      properties: {
        status: { type: 'string', enum: ['ready'] },
        role: { type: 'string' },
        lagOffsets: { type: 'integer', nullable: true },
      },
      required: ['status', 'role'],
    },
    'Ready',
  )
  @ApiResponse({
    status: 503,
    description: 'Not ready (`Retry-After`)',
    headers: { 'Retry-After': RETRY_AFTER },
    content: {
      'application/json': {
        schema: {
          type: 'object',
          properties: { status: { type: 'string' }, message: { type: 'string' } },
          required: ['status', 'message'],
        },
      },
    },
  })
  @Get('v1/health/ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const phase = this.runtime.currentPhase;
    const end = await this.log.endOffset().catch(() => null);
    const lagOffsets = end === null ? null : Math.max(0, end - 1 - this.runtime.projection.appliedOffset);
    if (phase === 'ready') return { status: 'ready', role: 'leader', lagOffsets };
    const standbyReady =
      phase === 'standby' && this.runtime.serving && lagOffsets !== null && lagOffsets <= READY_LAG_MAX_OFFSETS;
    if (standbyReady) return { status: 'ready', role: 'standby', lagOffsets, lagMaxOffsets: READY_LAG_MAX_OFFSETS };
    reply.status(503).header('Retry-After', '1');
    return {
      status: 'not ready',
      phase,
      lagOffsets,
      lagMaxOffsets: READY_LAG_MAX_OFFSETS,
      message:
        phase === 'standby'
          ? `this standby is ${lagOffsets ?? 'an unknown number of'} offsets behind the log (ready within ${READY_LAG_MAX_OFFSETS}), or knows no leader yet`
          : `this master is ${phase}`,
    };
  }
}
