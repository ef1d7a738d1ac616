import { BadRequestException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DRY_RUN_PARAM } from '../dry-run/dry-runner';
import type { DryRunAnswer } from '../dry-run/dry-run-answer';

/**
 * `?dryRun=true` on a write (Cairn's extension, opt-in: docs/marathon-api.md "Dry run"). Anything
 * but true or false is a 400: a misspelt value must not turn a dry run into a real write.
 */
export function isDryRun(request: FastifyRequest): boolean {
  const raw = (request.query as Record<string, string | string[] | undefined> | undefined)?.[DRY_RUN_PARAM];
  if (raw === undefined) return false;
  const values = [raw].flat().map((v) => v.toLowerCase());
  if (values.every((v) => v === 'true' || v === '')) return true;
  if (values.every((v) => v === 'false')) return false;
  throw new BadRequestException(`${DRY_RUN_PARAM} must be true or false, not ${JSON.stringify(raw)}`);
}

/** 200 (nothing was written): no Location, no deployment header, no offset. */
export function answerDryRun(reply: FastifyReply, answer: DryRunAnswer): DryRunAnswer {
  reply.status(200);
  return answer;
}
