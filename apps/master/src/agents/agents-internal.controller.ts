import { Body, Controller, Get, HttpCode, Logger, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { CommandRejected } from '@cairn/domain';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { MasterRuntime } from '../core/master-runtime';
import { MarathonValidationError, toMarathonErrorResponse } from '../http/errors';
import { AgentChannel, AgentCommandMessage } from './agent-channel';
import { AgentGateway } from './agent-gateway';
import { registerAgentBody, statusBatchBody, statusUpdateBody } from './agent-messages';
import { AgentTokenGuard } from './agent-token.guard';
import { DisconnectAgentCommand, RegisterAgentCommand, ReportTaskStatusCommand } from '../commands';
import { ApiExcludeController } from '@nestjs/swagger';

/** Sent by agents that answer pings (POST .../pong): the master may then drop a silent agent's stream. */
const ANSWERS_PINGS_HEADER = 'x-cairn-agent-pong';

/** The agent-facing API of the leader (docs/agent-protocol.md). Every answer follows a durable event. */
/** Not in the OpenAPI document: the agents' own protocol (apps/agent), not an API for clients. */
@ApiExcludeController()
@Controller('internal/v1/agents')
@UseGuards(AgentTokenGuard)
export class AgentsInternalController {
  private readonly logger = new Logger('AgentsInternal');

  constructor(
    private readonly runtime: MasterRuntime,
    private readonly gateway: AgentGateway,
    private readonly bus: CommandBus,
  ) {}

  @Post('register')
  @HttpCode(200)
  async register(@Body() body: unknown, @Req() request: FastifyRequest) {
    const input = parse(registerAgentBody, body);
    const outcome = await this.bus.execute(
      new RegisterAgentCommand(
        {
          kind: 'RegisterAgent',
          agentId: input.agentId ?? null,
          newAgentId: this.runtime.ids.uuid(),
          info: {
            hostname: input.hostname,
            filesPort: input.filesPort,
            resources: input.resources,
            attributes: input.attributes,
            capabilities: input.capabilities,
          },
          tasks: input.tasks,
        },
        `agent@${request.ip}`,
      ),
    );
    const registered = outcome.events.find((e) => e.type === 'AgentRegistered' || e.type === 'AgentReregistered');
    const agentId = registered && 'agentId' in registered.data ? registered.data.agentId : input.agentId;
    const kill = outcome.events.flatMap((e) => (e.type === 'TaskKillRequested' ? [e.data.taskId] : []));
    return { agentId, reconcile: { kill } };
  }

  @Get(':agentId/commands')
  commands(@Param('agentId') agentId: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    this.runtime.assertLeader(); // agents hold their command stream with the leader only
    if (!this.runtime.projection.state.agents.has(agentId)) {
      void reply.status(404).send({ message: `Agent '${agentId}' is not registered` });
      return;
    }
    reply.hijack();
    reply.raw.writeHead(200, { 'Content-Type': 'application/x-ndjson', 'Cache-Control': 'no-cache' });
    reply.raw.flushHeaders();
    const channel: AgentChannel = {
      send: (message: AgentCommandMessage) => void reply.raw.write(JSON.stringify(message) + '\n'),
      close: () => reply.raw.end(),
      // A silent agent (cut off): destroy the socket, so 'close' below runs now rather than after
      // TCP gives up on a peer that no longer answers (many minutes).
      drop: () => reply.raw.destroy(),
    };
    const disconnect = this.gateway.connect(agentId, channel, request.ip, this.runtime.projection.state, {
      answersPings: request.headers[ANSWERS_PINGS_HEADER] === '1',
      nowMs: this.runtime.clock.now(),
    });
    request.raw.on('close', () => {
      if (!disconnect()) return; // a newer stream of the same agent took over
      this.bus
        .execute(new DisconnectAgentCommand({ kind: 'DisconnectAgent', agentId }, 'system'))
        .catch(() => undefined); // a master that is stopping has nothing to record
    });
  }

  /** The agent's answer to a ping on its command stream: it is alive (docs/agent-protocol.md §2). */
  @Post(':agentId/pong')
  @HttpCode(200)
  pong(@Param('agentId') agentId: string) {
    this.runtime.assertLeader();
    this.gateway.heard(agentId, this.runtime.clock.now());
    return {};
  }

  @Post(':agentId/status')
  @HttpCode(200)
  async status(@Param('agentId') agentId: string, @Body() body: unknown) {
    const update = parse(statusUpdateBody, body);
    this.gateway.heard(agentId, this.runtime.clock.now());
    await this.report(agentId, update);
    return { ack: update.updateId };
  }

  /**
   * Many updates in one request (docs/agent-protocol.md §3): each is its own command, all submitted
   * at once so that they are decided in the same sequencer batch, and each gets its own answer,
   * given once all are settled: 200 once it is durable, or the status a single update would get.
   */
  @Post(':agentId/statuses')
  @HttpCode(200)
  async statuses(@Param('agentId') agentId: string, @Body() body: unknown) {
    const { updates } = parse(statusBatchBody, body);
    this.gateway.heard(agentId, this.runtime.clock.now());
    const results = await Promise.all(
      updates.map(async (raw): Promise<{ updateId: string | null; status: number; message?: string }> => {
        const parsed = statusUpdateBody.safeParse(raw);
        if (!parsed.success) {
          const updateId = (raw as { updateId?: unknown } | null)?.updateId;
          const message = parsed.error.issues.map((i) => `/${i.path.join('/')}: ${i.message}`).join('; ');
          return { updateId: typeof updateId === 'string' ? updateId : null, status: 422, message };
        }
        const { updateId } = parsed.data;
        try {
          await this.report(agentId, parsed.data);
          return { updateId, status: 200 };
        } catch (error) {
          const { status, body, unexpected } = toMarathonErrorResponse(error);
          if (unexpected) this.logger.error(`status update ${updateId} from agent ${agentId} failed: ${String(error)}`);
          return { updateId, status, message: (body as { message?: string }).message ?? '' };
        }
      }),
    );
    return { results };
  }

  /** One status update through the sequencer: resolves once its event (if any) is durable. */
  private async report(agentId: string, update: z.infer<typeof statusUpdateBody>): Promise<void> {
    await this.bus
      .execute(
        new ReportTaskStatusCommand(
          {
            kind: 'ReportTaskStatus',
            agentId,
            taskId: update.taskId,
            state: update.state,
            updateId: update.updateId,
            reason: update.reason ?? null,
            message: update.message ?? null,
            exitCode: update.exitCode ?? null,
            health: update.health ?? null,
            readiness: update.readiness ?? null,
          },
          `agent:${agentId}`,
        ),
      )
      .catch((error: Error) => {
        if (error instanceof CommandRejected) {
          this.logger.warn(`refused status update ${update.updateId} from agent ${agentId}: ${error.message}`);
        }
        throw error;
      });
  }
}

function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  throw new MarathonValidationError(
    'Object is not valid',
    result.error.issues.map((issue) => ({ path: '/' + issue.path.join('/'), errors: [issue.message] })),
  );
}
