import { actorOf } from '../auth/principal';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  addResources,
  type AgentRecord,
  CommandRejected,
  EMPTY_RESOURCES,
  deploymentLaunches,
  launchQueue,
  MAX_DRAIN_DEADLINE_SECONDS,
  Resources,
  summariseReasons,
} from '@cairn/domain';
import { AgentGateway } from '../agents/agent-gateway';
import { MasterRuntime } from '../core/master-runtime';
import { appDefinitionView } from './app.view';
import { DrainAgentCommand, ReactivateAgentCommand, ResetLaunchDelayCommand } from '../commands';
import { parseBoolean } from './request-origin';
import { runningDeploymentIdsOf, withDeploymentHeaders, withOffset } from './write-reply';

import { requestOrigin } from './request-origin';
import { validatePathId } from './validation';
import { MarathonValidationError } from './errors';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  APP_ID_PARAMETER,
  ApiErrors,
  ApiJson,
  ApiJsonBody,
  ApiQueryParam,
  ApiRoutes,
  doc,
  WRITE_HEADERS,
} from './openapi/decorators';
import { QueryValue } from './query-value';

/** Agents, offers and queue reasons (Cairn's /v1) and Marathon's launch queue (/v2/queue). */
@Controller()
export class ClusterController {
  constructor(
    private readonly runtime: MasterRuntime,
    private readonly gateway: AgentGateway,
    private readonly commands: CommandBus,
  ) {}

  /** Marathon's DELETE /v2/queue/{id}/delay: the app's next launch is immediate (204). */
  @ApiTags('marathon')
  @ApiRoutes({
    '/v2/queue/{appId}/delay': {
      summary: "Clear the app's launch backoff: its next launch is immediate",
      parameters: [APP_ID_PARAMETER],
      responses: {
        204: { description: 'Cleared' },
        400: doc.error(400, 'Malformed percent-encoding in the URL'),
        404: doc.error(404, 'Nothing of the app waits in the queue'),
        422: doc.error(422, 'Not a valid app id'),
      },
    },
  })
  @Delete('v2/queue/*')
  @HttpCode(204)
  async resetDelay(@Req() request: FastifyRequest): Promise<void> {
    const raw = decodeURIComponent((request.params as Record<string, string>)['*'] ?? '');
    const delayOf = raw.match(/^(.*)\/delay\/?$/);
    const checked = validatePathId(delayOf ? delayOf[1]! : raw);
    if (!checked.ok) throw new MarathonValidationError(checked.message, checked.details);
    if (!delayOf) throw new CommandRejected('not-found', `Unknown path '${request.url}'`);
    await this.commands.execute(
      new ResetLaunchDelayCommand(
        { kind: 'ResetLaunchDelay', appId: checked.id },
        actorOf(request),
        requestOrigin(request),
      ),
    );
  }

  @ApiTags('cairn')
  @ApiOperation({ summary: 'The agents: resources, attributes, what is used, connected or not' })
  @ApiJson(
    200,
    { type: 'object', properties: { agents: { type: 'array', items: { type: 'object' } } }, required: ['agents'] },
    'The agents',
  )
  @Get('v1/agents')
  agents() {
    this.runtime.assertReadable();
    const state = this.runtime.projection.state;
    const used = new Map<string, Resources>();
    const taskCount = new Map<string, number>();
    for (const task of state.tasks.values()) {
      used.set(task.agentId, addResources(used.get(task.agentId) ?? EMPTY_RESOURCES, task.resources));
      taskCount.set(task.agentId, (taskCount.get(task.agentId) ?? 0) + 1);
    }
    const agents = [...state.agents.values()]
      .sort((a, b) => (a.hostname === b.hostname ? (a.agentId < b.agentId ? -1 : 1) : a.hostname < b.hostname ? -1 : 1))
      .map((agent) => ({
        ...agent,
        drain: drainView(agent),
        since: new Date(agent.sinceMs).toISOString(),
        sinceMs: undefined,
        connected: this.gateway.isConnected(agent.agentId),
        used: used.get(agent.agentId) ?? EMPTY_RESOURCES,
        tasks: taskCount.get(agent.agentId) ?? 0,
      }));
    return { agents };
  }

  /**
   * Agent maintenance (Mesos's DRAIN_AGENT, Nomad's node drain): the agent leaves placement and one
   * deployment replaces its tasks elsewhere within each app's upgradeStrategy; at the deadline
   * (`deadlineSeconds` from now, if given) what still runs there is killed. 202 with the
   * deployments started (none when the agent runs nothing); 404 for an unknown agent, 409 when a
   * deployment locks one of its apps (`?force=true` cancels those), 422 for a bad body. Draining an
   * agent in maintenance again updates the drain (Mesos, Nomad); a drained, empty one: nothing.
   */
  @ApiTags('cairn')
  @ApiOperation({
    summary: "Drain an agent: out of placement, its tasks moved elsewhere within each app's upgradeStrategy",
  })
  @ApiJsonBody(
    {
      type: 'object',
      additionalProperties: false,
      properties: {
        deadlineSeconds: { type: 'number', minimum: 0, maximum: MAX_DRAIN_DEADLINE_SECONDS, nullable: true },
      },
    },
    'When what still runs there is killed (seconds from now); none: no deadline',
    false,
  )
  @ApiQueryParam('force', 'Cancel the deployments that lock its apps', { type: 'boolean' })
  @ApiJson(202, 'AgentDrain', 'Draining: the drain and the deployments it started', WRITE_HEADERS)
  @ApiErrors(404, 409, 422)
  @Post('v1/agents/:agentId/drain')
  @HttpCode(202)
  async drain(
    @Req() request: FastifyRequest,
    @Param('agentId') agentId: string,
    @Body() body: unknown,
    @QueryValue('force') force: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const deadlineSeconds = drainDeadline(body);
    const outcome = await this.commands.execute(
      new DrainAgentCommand(
        { kind: 'DrainAgent', agentId, deadlineSeconds, force: parseBoolean(force, false) },
        actorOf(request),
        requestOrigin(request),
      ),
    );
    withDeploymentHeaders(reply, outcome);
    const agent = this.runtime.projection.state.agents.get(agentId);
    return { agentId, drain: agent ? drainView(agent) : null, deployments: runningDeploymentIdsOf(outcome) };
  }

  /** Mesos's REACTIVATE_AGENT: placement may use the agent again (200; a no-op for an agent not in maintenance). */
  @ApiTags('cairn')
  @ApiOperation({ summary: 'Reactivate an agent: placement may use it again (a no-op when not in maintenance)' })
  @ApiJson(200, 'AgentDrain', 'The agent out of maintenance (`changed`: whether it was in it)')
  @ApiErrors(404, 409)
  @Post('v1/agents/:agentId/reactivate')
  @HttpCode(200)
  async reactivate(
    @Req() request: FastifyRequest,
    @Param('agentId') agentId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const outcome = await this.commands.execute(
      new ReactivateAgentCommand({ kind: 'ReactivateAgent', agentId }, actorOf(request), requestOrigin(request)),
    );
    withOffset(reply, outcome);
    return { agentId, drain: null, changed: outcome.events.length > 0 };
  }

  /** The app scheduler answers every offer in the decision that made it: none stay outstanding. */
  @ApiTags('cairn')
  @ApiOperation({ summary: 'Outstanding offers (none: every offer is answered in the decision that made it)' })
  @ApiJson(
    200,
    { type: 'object', properties: { offers: { type: 'array', items: { type: 'string' } } }, required: ['offers'] },
    'The offer ids',
  )
  @Get('v1/offers')
  offers() {
    this.runtime.assertReadable();
    return { offers: [...this.runtime.projection.state.pendingOffers.keys()] };
  }

  /**
   * Marathon's launch queue, each item with the fields marathon-python's MarathonQueueItem accepts
   * (no `role`: Marathon 1.9 added it and that client rejects it). `lastUnusedOffers` comes only
   * with `embed=lastUnusedOffers`, as in Marathon; the state keeps the reasons of the last offers,
   * not the offers, so each entry names its reasons only. The numbers behind the reasons
   * (requested, available) are Cairn's extra, at /v1/queue.
   */
  @ApiTags('marathon')
  @ApiOperation({ summary: 'Apps waiting for resources, with why offers did not fit' })
  @ApiQueryParam('embed', '`lastUnusedOffers` adds the reasons of the last offers')
  @ApiJson(
    200,
    {
      type: 'object',
      properties: { queue: { type: 'array', items: { $ref: '#/components/schemas/QueueItem' } } },
      required: ['queue'],
    },
    'The queue',
  )
  @Get('v2/queue')
  queue(@Query('embed') embed?: string | string[]) {
    this.runtime.assertReadable();
    const state = this.runtime.projection.state;
    const now = this.runtime.clock.now();
    const withOffers = [embed ?? []].flat().includes('lastUnusedOffers');
    return {
      queue: launchQueue(state, now, deploymentLaunches(state)).map((q) => {
        const reasons = state.queueReasons.get(q.app.id);
        const summary = summariseReasons(reasons ? [reasons] : []);
        return {
          app: appDefinitionView(q.app),
          count: q.count,
          delay: {
            timeLeftSeconds: q.delayedUntilMs === null ? 0 : Math.ceil((q.delayedUntilMs - now) / 1000),
            overdue: q.delayedUntilMs === null,
          },
          since: q.app.versionInfo.lastScalingAt,
          processedOffersSummary: {
            processedOffersCount: summary.processedOffersCount,
            unusedOffersCount: summary.unusedOffersCount,
            rejectSummaryLastOffers: summary.rejectSummary,
          },
          ...(withOffers ? { lastUnusedOffers: reasons ? [{ reason: reasons.map((r) => r.reason) }] : [] } : {}),
        };
      }),
    };
  }

  /** Why each queued app did not fit the last offers it saw, with the numbers (Cairn's extra). */
  @ApiTags('cairn')
  @ApiOperation({ summary: 'Why each queued app did not fit the last offers, with the numbers' })
  @ApiJson(
    200,
    {
      type: 'object',
      properties: {
        queue: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              appId: { type: 'string' },
              count: { type: 'integer' },
              reasons: { type: 'array', items: { type: 'object' } },
            },
            required: ['appId', 'count', 'reasons'],
          },
        },
      },
      required: ['queue'],
    },
    'The queue',
  )
  @Get('v1/queue')
  queueReasons() {
    this.runtime.assertReadable();
    const state = this.runtime.projection.state;
    return {
      queue: launchQueue(state, this.runtime.clock.now(), deploymentLaunches(state)).map((q) => ({
        appId: q.app.id,
        count: q.count,
        reasons: state.queueReasons.get(q.app.id) ?? [],
      })),
    };
  }
}

/** An agent's maintenance as /v1/agents shows it: null when none. */
function drainView(agent: AgentRecord) {
  if (!agent.drain) return null;
  const { state, startedAt, deadline } = agent.drain;
  return { state, startedAt, deadline };
}

/** `{"deadlineSeconds"?: number}` (or no body): null when no deadline. */
function drainDeadline(body: unknown): number | null {
  if (body === undefined || body === null || body === '') return null;
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new CommandRejected('invalid', 'the body must be a JSON object: {"deadlineSeconds": <seconds>}');
  }
  const { deadlineSeconds, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new CommandRejected('invalid', `unknown field(s): ${unknown.join(', ')}`);
  if (deadlineSeconds === undefined || deadlineSeconds === null) return null;
  if (
    typeof deadlineSeconds !== 'number' ||
    !Number.isFinite(deadlineSeconds) ||
    deadlineSeconds < 0 ||
    deadlineSeconds > MAX_DRAIN_DEADLINE_SECONDS
  ) {
    throw new CommandRejected(
      'invalid',
      `deadlineSeconds must be a number of seconds from 0 to ${MAX_DRAIN_DEADLINE_SECONDS}, got ${JSON.stringify(deadlineSeconds)}`,
    );
  }
  return deadlineSeconds;
}
