import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AGENT_TOKEN } from '../tokens';
import { UnavailableError } from '../core/errors';
import { CommandRejected } from '@cairn/domain';
import { sendJsonListInSlices } from './sliced-json';
import { MasterRuntime } from '../core/master-runtime';
import { AgentGateway } from '../agents/agent-gateway';
import { taskInfo } from './task.view';
import { ReadViews } from './read-views';
import { deploymentResult } from './write-reply';
import { killFlags, killTasks, killTasksCommand } from './task-kill';
import { DryRunner } from '../dry-run/dry-runner';
import { answerDryRun, isDryRun } from './dry-run-reply';
import { requireJsonBody } from './validation/require-json-body';
import { MarathonValidationError } from './errors';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiJson, ApiJsonBody, ApiQueryParam, ApiWriteFlags, WRITE_HEADERS } from './openapi/decorators';
import { TASKS_ANSWER } from './apps.controller';
import { QueryValue } from './query-value';

/** Bytes one files request may return (Mesos caps /files/read similarly). */
export const FILES_READ_MAX_BYTES = 1024 * 1024;
/** An agent that does not answer within this is reported as unavailable (503), not waited for. */
export const FILES_READ_TIMEOUT_MS = 5_000;

/** Marathon's /v2/tasks and Cairn's proxy to a task's sandbox files on its agent. */
@Controller()
export class TasksController {
  constructor(
    private readonly runtime: MasterRuntime,
    private readonly gateway: AgentGateway,
    @Inject(AGENT_TOKEN) private readonly agentToken: string,
    private readonly commands: CommandBus,
    private readonly dryRunner: DryRunner,
    private readonly views: ReadViews,
  ) {}

  /**
   * Marathon's GET /v2/tasks: `status` and `status[]` (repeatable) select `running` and/or
   * `staging` tasks; other values are ignored, as Marathon ignores them.
   */
  @ApiTags('marathon')
  @ApiOperation({ summary: 'Every task; `status` / `status[]` select `running` and/or `staging`' })
  @ApiQueryParam('status', '`running` or `staging` (others are ignored, as Marathon ignores them)')
  @ApiQueryParam('status[]', 'As `status` (repeatable)')
  @ApiJson(200, TASKS_ANSWER, 'The tasks')
  @Get('v2/tasks')
  async tasks(
    @Query() query: Record<string, string | string[] | undefined>,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    this.runtime.assertReadable();
    const wanted = taskStatesWanted([query.status, query['status[]']].flat());
    const all = this.views.allTasks();
    const tasks = wanted ? all.filter((t) => wanted.has(t.state)) : all;
    // Each task's JSON is serialised once per record (read-views.ts).
    await sendJsonListInSlices(reply, 'tasks', tasks, (task) => this.views.task(task));
  }

  /** Marathon's POST /v2/tasks/delete `{"ids": [...]}`: ids it does not know are left out, as Marathon does. */
  @ApiTags('marathon')
  @ApiOperation({ summary: 'Kill tasks by id (ids Cairn does not know are left out); `scale=true` shrinks their apps' })
  @ApiJsonBody(
    { type: 'object', properties: { ids: { type: 'array', items: { type: 'string' } } }, required: ['ids'] },
    'The tasks to kill',
  )
  @ApiQueryParam('scale', 'Shrink the apps by the killed tasks (one deployment)', { type: 'boolean' })
  @ApiQueryParam('wipe', 'A plain kill here; not with `scale`', { type: 'boolean' })
  @ApiWriteFlags()
  @ApiJson(
    200,
    {
      oneOf: [TASKS_ANSWER, { $ref: '#/components/schemas/DeploymentResult' }, { $ref: '#/components/schemas/DryRun' }],
    },
    'The killed tasks, or with `scale` the deployment',
    WRITE_HEADERS,
  )
  @ApiErrors(403, 409, 422)
  @Post('v2/tasks/delete')
  @HttpCode(200)
  async killMany(
    @Body() body: unknown,
    @Query() query: Record<string, string | string[] | undefined>,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const { scale, force } = killFlags(query);
    const ids = (requireJsonBody(body) as { ids?: unknown } | null)?.ids;
    if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) {
      throw new MarathonValidationError('Invalid JSON', [
        { path: '/ids', errors: ['error.expected.jsarray of strings'] },
      ]);
    }
    const state = this.runtime.projection.state;
    const victims = ids.flatMap((id) => state.tasks.get(id) ?? []);
    const kill = killTasksCommand(request, victims, { scale, force });
    if (isDryRun(request)) return answerDryRun(reply, this.dryRunner.plan(kill));
    const outcome = await killTasks(this.commands, reply, kill);
    if (scale) return deploymentResult(outcome, outcome.events.find((e) => e.type === 'DeploymentStarted')?.at ?? null);
    return { tasks: victims.map((task) => taskInfo(task, state)) };
  }

  @ApiTags('cairn')
  @ApiOperation({ summary: "A task's stdout or stderr, read from its agent's sandbox (at most 1 MiB)" })
  @ApiQueryParam('offset', 'Byte offset to read from (default 0)')
  @ApiQueryParam('length', 'Bytes to read (at most 1 MiB)')
  @ApiJson(200, { type: 'object' }, "The agent's answer: the bytes read and where")
  @ApiErrors(404, 409, 503)
  @Get('v1/tasks/:taskId/files/:file')
  async files(
    @Param('taskId') taskId: string,
    @Param('file') file: string,
    @QueryValue('offset') offset = '0',
    @QueryValue('length') length = String(FILES_READ_MAX_BYTES),
  ) {
    this.runtime.assertReadable();
    if (file !== 'stdout' && file !== 'stderr') {
      throw new CommandRejected('not-found', `File '${file}' does not exist: use stdout or stderr`);
    }
    const agentId = this.agentOfTask(taskId);
    if (!agentId) throw new CommandRejected('not-found', `Task '${taskId}' does not exist`);
    const agent = this.runtime.projection.state.agents.get(agentId);
    const address = this.gateway.addressOf(agentId);
    if (!agent || !address) {
      throw new CommandRejected(
        'conflict',
        `the agent of task '${taskId}' is not connected: its files cannot be read now`,
      );
    }
    const query = new URLSearchParams({
      taskId,
      file,
      offset,
      length: String(Math.min(Number(length) || 0, FILES_READ_MAX_BYTES)),
    });
    const host = address.includes(':') ? `[${address}]` : address;
    let response: Response;
    let body: unknown;
    try {
      response = await fetch(`http://${host}:${agent.filesPort}/files/read?${query}`, {
        headers: { Authorization: `Bearer ${this.agentToken}` },
        signal: AbortSignal.timeout(FILES_READ_TIMEOUT_MS),
      });
      body = await response.json();
    } catch (error) {
      throw new UnavailableError(`cannot reach the agent of task '${taskId}': ${(error as Error).message}`);
    }
    if (!response.ok) {
      const message = (body as { message?: string }).message ?? `the agent answered ${response.status}`;
      if (response.status === 404) throw new CommandRejected('not-found', message);
      throw new UnavailableError(`the agent of task '${taskId}' could not read its ${file}: ${message}`);
    }
    return body;
  }

  /**
   * A running task's agent, or, for a task that failed, the agent its app's last failure names
   * (the sandbox stays on the agent: "why did it die?" is read from its stderr).
   */
  private agentOfTask(taskId: string): string | undefined {
    const state = this.runtime.projection.state;
    const live = state.tasks.get(taskId);
    if (live) return live.agentId;
    for (const failure of state.lastTaskFailure.values()) if (failure.taskId === taskId) return failure.slaveId;
    return undefined;
  }
}

/** The task states `status` values select, or null for all (Marathon knows `running` and `staging`). */
export function taskStatesWanted(values: readonly (string | undefined)[]): Set<string> | null {
  const wanted = new Set<string>();
  for (const value of values) {
    const status = value?.toLowerCase();
    if (status === 'running') wanted.add('TASK_RUNNING');
    if (status === 'staging') {
      wanted.add('TASK_STAGING');
      wanted.add('TASK_STARTING');
    }
  }
  return wanted.size > 0 ? wanted : null;
}
