import { actorOf } from '../auth/principal';
import { BadRequestException } from '@nestjs/common';
import type { CommandBus } from '@nestjs/cqrs';
import type { TaskRecord } from '@cairn/domain';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { KillTasksCommand } from '../commands';
import type { CommandOutcome } from '../core/sequencer';
import { withDeploymentHeaders } from './write-reply';
import { parseBoolean, requestOrigin } from './request-origin';

/** Marathon's kill flags: `scale` and `wipe` (a plain kill here: Cairn has no resident tasks) exclude each other. */
export function killFlags(query: Record<string, string | string[] | undefined>): { scale: boolean; force: boolean } {
  const scale = parseBoolean(query.scale, false);
  const wipe = parseBoolean(query.wipe, false);
  if (scale && wipe) throw new BadRequestException('You cannot use scale and wipe at the same time.');
  return { scale, force: parseBoolean(query.force, false) };
}

/** The kill of `victims`: one command, one deployment when `scale`. */
export function killTasksCommand(
  request: FastifyRequest,
  victims: readonly TaskRecord[],
  flags: { scale: boolean; force: boolean },
): KillTasksCommand {
  return new KillTasksCommand(
    { kind: 'KillTasks', taskIds: victims.map((t) => t.taskId), scale: flags.scale, force: flags.force },
    actorOf(request),
    requestOrigin(request),
  );
}

/** Runs the kill and names its deployment in the reply's headers. */
export async function killTasks(
  commands: CommandBus,
  reply: FastifyReply,
  command: KillTasksCommand,
): Promise<CommandOutcome> {
  const outcome: CommandOutcome = await commands.execute(command);
  withDeploymentHeaders(reply, outcome);
  return outcome;
}
