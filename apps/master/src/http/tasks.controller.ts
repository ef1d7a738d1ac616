import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { AGENT_TOKEN } from '../tokens';
import { UnavailableError } from '../core/errors';
import { CommandRejected } from '@cairn/domain';
import { MasterRuntime } from '../core/master-runtime';
import { AgentGateway } from '../agents/agent-gateway';
import { allTasks, taskInfo } from './task.view';

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
  ) {}

  @Get('v2/tasks')
  tasks(@Query('status') status?: string) {
    this.runtime.assertReadable();
    const wanted = status ? `TASK_${status.toUpperCase()}` : null;
    const state = this.runtime.projection.state;
    const tasks = allTasks(state).filter((t) => !wanted || t.state === wanted);
    return { tasks: tasks.map((task) => taskInfo(task, state)) };
  }

  @Get('v1/tasks/:taskId/files/:file')
  async files(
    @Param('taskId') taskId: string,
    @Param('file') file: string,
    @Query('offset') offset = '0',
    @Query('length') length = String(FILES_READ_MAX_BYTES),
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
