import type { ClusterState, DecidedAhead } from '@cairn/domain';
import type { CairnEvent } from '@cairn/events';

/** The answer of a write asked with `?dryRun=true` (a Cairn extension, docs/marathon-api.md "Dry run"). */
export interface DryRunAnswer {
  readonly dryRun: true;
  /** The log offset of the state the dry run was decided on (nothing was written after it). */
  readonly decidedAtOffset: number;
  /** Every event the write and the scheduler's next tick would append, enveloped as the log would hold them, without offsets. */
  readonly events: readonly CairnEvent[];
  /** Which command decided which events: the write's own, then the scheduler's tick. */
  readonly decisions: readonly { command: string; commandId: string; eventIds: string[] }[];
  /** The deployment the write would start (its plan), or null. */
  readonly deployment: {
    id: string;
    version: string;
    affectedApps: string[];
    steps: { actions: { action: string; app: string }[] }[];
  } | null;
  /** Deployments the write would cancel (a forced change, a rollback). */
  readonly cancelledDeployments: readonly { id: string; reason: string }[];
  readonly placements: readonly { taskId: string; appId: string; agentId: string; host: string; ports: number[] }[];
  readonly kills: readonly {
    taskId: string;
    appId: string | null;
    agentId: string;
    host: string | null;
    reason: string;
  }[];
  /** Agents offered to the apps and not used, with why each waiting app did not fit there. */
  readonly declined: readonly {
    agentId: string;
    host: string | null;
    refuseUntil: string;
    reasons: Record<string, Record<string, unknown>[]>;
  }[];
  readonly notes: readonly string[];
}

/**
 * The answer of a dry run: the events as decided, and what they mean read off them (placements,
 * kills, declines), with hosts and apps from the state they were decided on. Pure.
 */
export function dryRunAnswer(
  decisions: readonly DecidedAhead[],
  state: ClusterState,
  decidedAtOffset: number,
): DryRunAnswer {
  const events = decisions.flatMap((d) => d.events);
  const launched = new Map<string, string>(); // taskId -> appId, for kills of tasks this very run launched
  const offerAgents = new Map<string, string>();
  const placements: DryRunAnswer['placements'][number][] = [];
  const kills: DryRunAnswer['kills'][number][] = [];
  const declined: DryRunAnswer['declined'][number][] = [];
  const cancelledDeployments: { id: string; reason: string }[] = [];
  let deployment: DryRunAnswer['deployment'] = null;
  const hostOf = (agentId: string) => state.agents.get(agentId)?.hostname ?? null;
  for (const event of events) {
    switch (event.type) {
      case 'DeploymentStarted': {
        const { deploymentId, version, affectedApps, steps } = event.data;
        deployment ??= { id: deploymentId, version, affectedApps, steps };
        break;
      }
      case 'DeploymentCancelled':
        cancelledDeployments.push({ id: event.data.deploymentId, reason: event.data.reason });
        break;
      case 'OffersMade':
        for (const offer of event.data.offers) offerAgents.set(offer.offerId, offer.agentId);
        break;
      case 'TaskLaunched': {
        const { taskId, appId, agentId, host, ports } = event.data;
        launched.set(taskId, appId);
        placements.push({ taskId, appId, agentId, host, ports });
        break;
      }
      case 'TaskKillRequested': {
        const { taskId, agentId, reason } = event.data;
        const appId = state.tasks.get(taskId)?.appId ?? launched.get(taskId) ?? null;
        kills.push({ taskId, appId, agentId, host: hostOf(agentId), reason });
        break;
      }
      case 'OfferDeclined': {
        const agentId = offerAgents.get(event.data.offerId) ?? '?';
        const { refuseUntil, reasons } = event.data;
        declined.push({ agentId, host: hostOf(agentId), refuseUntil, reasons });
        break;
      }
      case 'OffersDeclined': {
        // One record for the pass: each declined agent with the pass's reasons of the waiting apps.
        const { refuseUntil, reasons } = event.data;
        for (const { agentId } of event.data.offers)
          declined.push({ agentId, host: hostOf(agentId), refuseUntil, reasons });
        break;
      }
      default:
        break;
    }
  }
  return {
    dryRun: true,
    decidedAtOffset,
    events,
    decisions: decisions.map((d) => ({
      command: d.command.kind,
      commandId: d.command.meta.commandId,
      eventIds: d.events.map((e) => e.id),
    })),
    deployment,
    cancelledDeployments,
    placements,
    kills,
    declined,
    notes: notesOn(decisions, deployment, decidedAtOffset),
  };
}

function notesOn(
  decisions: readonly DecidedAhead[],
  deployment: DryRunAnswer['deployment'],
  decidedAtOffset: number,
): string[] {
  const notes = [`Decided on the state at log offset ${decidedAtOffset}; nothing was written.`];
  const [write, tick] = decisions;
  if (write && write.events.length === 0) notes.push('The write would change nothing.');
  const finished = decisions.some((d) =>
    d.events.some((e) => e.type === 'DeploymentFinished' && e.data.deploymentId === deployment?.id),
  );
  if (deployment && !finished) {
    notes.push(
      'Only the first scheduler tick is shown: later steps of the deployment (the next launches of a rolling ' +
        'restart, the kills of old tasks) wait for the new tasks to run and pass their health and readiness ' +
        'checks, which has not happened.',
    );
  }
  if (tick && tick.events.length > 0) {
    notes.push(
      "The tick's events are everything the next tick would decide now, the write's consequences and whatever " +
        'else was due (other apps waiting, agents timing out).',
    );
  }
  notes.push(
    "Ids are the dry run's own (events, commands, deployment, tasks): the real write gets new ones. Placements " +
      'are the same while nothing changes in between.',
  );
  return notes;
}
