import { EventsHandler, IEventHandler } from '@nestjs/cqrs';
import { isTerminal } from '@cairn/domain';
import { EventApplied } from '../core/event-applied';
import { MasterRuntime } from '../core/master-runtime';
import { AgentGateway, killMessage } from './agent-gateway';
import { SchedulerTicker } from './scheduler-ticker';

/** Events whose application may let more tasks launch now: the scheduler ticks at once. */
const DEMAND_CHANGES = new Set([
  'AppCreated',
  'AppUpdated',
  'AppScaled',
  'AgentRegistered',
  'AgentReregistered',
  'OfferAccepted',
]);

/**
 * Side effects of applied events (never state): launches and kills go to agents; demand
 * changes wake the scheduler. Runs after the events are durable, so nothing is sent that the
 * log could lose.
 */
@EventsHandler(EventApplied)
export class AgentEffects implements IEventHandler<EventApplied> {
  constructor(
    private readonly gateway: AgentGateway,
    private readonly ticker: SchedulerTicker,
    private readonly runtime: MasterRuntime,
  ) {}

  handle({ event }: EventApplied): void {
    if (event.type === 'TaskLaunched') {
      this.gateway.send(event.data.agentId, { type: 'launch', task: event.data });
    } else if (event.type === 'TaskKillRequested') {
      const task = this.runtime.projection.state.tasks.get(event.data.taskId);
      this.gateway.send(event.data.agentId, killMessage(event.data.taskId, task?.killGracePeriodSeconds ?? null));
    }
    // A task that ended frees resources and may need a replacement; other states change nothing to place.
    const taskEnded = event.type === 'TaskStatusUpdated' && isTerminal(event.data.state);
    if (taskEnded || DEMAND_CHANGES.has(event.type)) this.ticker.tickSoon();
  }
}
