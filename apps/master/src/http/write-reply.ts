import type { FastifyReply } from 'fastify';
import type { CommandOutcome } from '../core/sequencer';

/** The offset of a write's last event, so a client (or a test) can wait for it elsewhere. */
export const OFFSET_HEADER = 'X-Cairn-Offset';

export function withOffset(reply: FastifyReply, outcome: CommandOutcome): FastifyReply {
  if (outcome.offset !== null) reply.header(OFFSET_HEADER, String(outcome.offset));
  return reply;
}

/** Marathon names the deployment a write started in this header. */
export const DEPLOYMENT_ID_HEADER = 'Marathon-Deployment-Id';

/** The deployments a write started and that are still in progress (a no-op plan finishes at once). */
export function runningDeploymentIdsOf(outcome: CommandOutcome): string[] {
  const finished = new Set(
    outcome.events.flatMap((e) => (e.type === 'DeploymentFinished' ? [e.data.deploymentId] : [])),
  );
  return deploymentIdsOf(outcome).filter((id) => !finished.has(id));
}

/** The deployments a write started (one per command today). */
export function deploymentIdsOf(outcome: CommandOutcome): string[] {
  return outcome.events.flatMap((e) => (e.type === 'DeploymentStarted' ? [e.data.deploymentId] : []));
}

/** Marathon's deploymentResult: `{deploymentId, version}`; a write that changed nothing names its command. */
export function deploymentResult(outcome: CommandOutcome, version: string | null) {
  const [deploymentId] = deploymentIdsOf(outcome);
  return { deploymentId: deploymentId ?? outcome.events[0]?.causationId ?? null, version };
}

export function withDeploymentHeaders(reply: FastifyReply, outcome: CommandOutcome): FastifyReply {
  const [deploymentId] = deploymentIdsOf(outcome);
  if (deploymentId) reply.header(DEPLOYMENT_ID_HEADER, deploymentId);
  return withOffset(reply, outcome);
}
