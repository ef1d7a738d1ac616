import type { FastifyReply } from 'fastify';
import type { CommandOutcome } from '../core/sequencer';

/** The offset of a write's last event, so a client (or a test) can wait for it elsewhere. */
export const OFFSET_HEADER = 'X-Cairn-Offset';

export function withOffset(reply: FastifyReply, outcome: CommandOutcome): FastifyReply {
  if (outcome.offset !== null) reply.header(OFFSET_HEADER, String(outcome.offset));
  return reply;
}
