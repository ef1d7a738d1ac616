import { AgentCommandsEffect } from '../agents/agent-commands.effect';
import { SchedulerWakeupEffect } from '../agents/scheduler-wakeup.effect';

/** What reacts to applied events: one @nestjs/cqrs event handler per concern. */
export const eventHandlers = [AgentCommandsEffect, SchedulerWakeupEffect];
