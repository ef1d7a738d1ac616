import { EventsHandler, IEventHandler } from '@nestjs/cqrs';
import { endsTask } from '@cairn/domain';
import type { CairnEvent } from '@cairn/events';
import { EventApplied } from '../core/event-applied';
import { MasterRuntime } from '../core/master-runtime';
import { SchedulerTicker } from './scheduler-ticker';

/** Events whose application may let more tasks launch now, or a deployment move on. */
const DEMAND_CHANGES = new Set<CairnEvent['type']>([
  'AppCreated',
  'AppUpdated',
  'AppScaled',
  'AppRestartRequested',
  'AgentRegistered',
  'AgentReregistered',
  'OfferAccepted',
  'DeploymentStarted',
  'DeploymentStepFinished',
  'DeploymentCancelled',
]);

/** Task facts a deployment step waits on (running, healthy, ready). */
const PROGRESS = new Set<CairnEvent['type']>(['TaskStatusUpdated', 'TaskHealthChanged', 'TaskReadinessChanged']);

/**
 * Wakes the scheduler when an applied event may change what it decides: demand, freed resources
 * (a task ended), or, while a deployment runs, a task's progress. A tick that decides nothing
 * writes nothing.
 */
@EventsHandler(EventApplied)
export class SchedulerWakeupEffect implements IEventHandler<EventApplied> {
  constructor(
    private readonly ticker: SchedulerTicker,
    private readonly runtime: MasterRuntime,
  ) {}

  handle({ event }: EventApplied): void {
    if (this.wakes(event)) this.ticker.tickSoon();
  }

  private wakes(event: CairnEvent): boolean {
    if (DEMAND_CHANGES.has(event.type)) return true;
    if (event.type === 'TaskStatusUpdated' && endsTask(event.data.state)) return true;
    return PROGRESS.has(event.type) && this.runtime.projection.state.deployments.size > 0;
  }
}
