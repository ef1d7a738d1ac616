import { EventsHandler, IEventHandler } from '@nestjs/cqrs';
import { EventsApplied } from '../core/events-applied';
import { MasterRuntime } from '../core/master-runtime';
import { AgentGateway, killMessage } from './agent-gateway';

/**
 * Launches and kills go to agents once the events that decide them are durable, so nothing is
 * sent that the log could lose. A side effect, never state.
 */
@EventsHandler(EventsApplied)
export class AgentCommandsEffect implements IEventHandler<EventsApplied> {
  constructor(
    private readonly gateway: AgentGateway,
    private readonly runtime: MasterRuntime,
  ) {}

  handle({ events }: EventsApplied): void {
    for (const event of events) {
      if (event.type === 'TaskLaunched') {
        const { placement: _placement, ...task } = event.data;
        this.gateway.send(event.data.agentId, { type: 'launch', task });
      } else if (event.type === 'TaskKillRequested') {
        const task = this.runtime.projection.state.tasks.get(event.data.taskId);
        this.gateway.send(event.data.agentId, killMessage(event.data.taskId, task?.killGracePeriodSeconds ?? null));
      }
    }
  }
}
