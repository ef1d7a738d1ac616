import { EventsHandler, IEventHandler } from '@nestjs/cqrs';
import { endsTask } from '@cairn/domain';
import type { CairnEvent } from '@cairn/events';
import { EventsApplied } from '../core/events-applied';
import { MasterRuntime } from '../core/master-runtime';
import { SchedulerTicker } from './scheduler-ticker';

/** Events whose application may let more tasks launch now, or a deployment move on. */
const DEMAND_CHANGES = new Set<CairnEvent['type']>([
  'AppCreated',
  'AppUpdated',
  'AppScaled',
  'AppRestartRequested',
  'LaunchDelayReset',
  'TaskUnreachableInactive',
  // A tick marks lost agents unreachable up to a bound (UNREACHABLE_TASKS_PER_TICK_MAX): the next
  // takes the rest, and their tasks kept unreachable end nothing that would wake it.
  'AgentUnreachable',
  'AgentRegistered',
  'AgentReregistered',
  'AgentDrainStarted',
  'AgentReactivated',
  'OfferAccepted',
  'DeploymentStarted',
  'DeploymentStepFinished',
  'DeploymentCancelled',
]);

/** How long a deployment may wait to notice a task's progress (the ticks it causes are batched). */
export const PROGRESS_TICK_WITHIN_MS = 100;

/** Task facts a deployment step waits on (running, healthy, ready). */
const PROGRESS = new Set<CairnEvent['type']>(['TaskStatusUpdated', 'TaskHealthChanged', 'TaskReadinessChanged']);

/**
 * Wakes the scheduler when an applied event may change what it decides: demand, freed resources
 * (a task ended), or, while a deployment runs, a task's progress. A tick that decides nothing
 * writes nothing.
 */
@EventsHandler(EventsApplied)
export class SchedulerWakeupEffect implements IEventHandler<EventsApplied> {
  constructor(
    private readonly ticker: SchedulerTicker,
    private readonly runtime: MasterRuntime,
  ) {}

  handle({ events }: EventsApplied): void {
    let progress = false;
    for (const event of events) {
      if (DEMAND_CHANGES.has(event.type) || (event.type === 'TaskStatusUpdated' && endsTask(event.data.state))) {
        this.ticker.tickSoon();
        return; // a tick soon covers any progress of the same batch
      }
      progress ||= PROGRESS.has(event.type);
    }
    if (progress && this.runtime.projection.state.deployments.size > 0) this.ticker.tickWithin(PROGRESS_TICK_WITHIN_MS);
  }
}
