import { z } from 'zod';
import { EventEnvelope } from '../envelope';
import { appCreatedV1, appDeletedV1, appScaledV1, appScaledV2, appUpdatedV1 } from './app.events';
import { leaderElectedV1 } from './cluster.events';
import { agentDisconnectedV1, agentRegisteredV1, agentReregisteredV1, agentUnreachableV1 } from './agent.events';
import { launchDelayedV1, offerAcceptedV1, offerDeclinedV1, offersMadeV1 } from './offer.events';
import { taskKillRequestedV1, taskLaunchedV1, taskStatusUpdatedV1 } from './task.events';

/**
 * The event catalogue: every type Cairn writes, its current version, its schema at every
 * version it ever had, and the key (aggregate id) its records carry. Type names are permanent.
 * An old version is upcast on read (see ../upcast.ts), never rewritten in the log.
 */
export const catalogue = {
  LeaderElected: { current: 1, versions: { 1: leaderElectedV1 }, key: () => 'cluster' },
  AppCreated: { current: 1, versions: { 1: appCreatedV1 }, key: (d: AppCreatedData) => d.app.id },
  AppUpdated: { current: 1, versions: { 1: appUpdatedV1 }, key: (d: AppUpdatedData) => d.app.id },
  AppScaled: { current: 2, versions: { 1: appScaledV1, 2: appScaledV2 }, key: (d: AppScaledData) => d.appId },
  AppDeleted: { current: 1, versions: { 1: appDeletedV1 }, key: (d: AppDeletedData) => d.appId },
  LaunchDelayed: { current: 1, versions: { 1: launchDelayedV1 }, key: (d: LaunchDelayedData) => d.appId },
  AgentRegistered: { current: 1, versions: { 1: agentRegisteredV1 }, key: (d: AgentRegisteredData) => d.agentId },
  AgentReregistered: {
    current: 1,
    versions: { 1: agentReregisteredV1 },
    key: (d: AgentReregisteredData) => d.agentId,
  },
  AgentDisconnected: { current: 1, versions: { 1: agentDisconnectedV1 }, key: (d: AgentDisconnectedData) => d.agentId },
  AgentUnreachable: { current: 1, versions: { 1: agentUnreachableV1 }, key: (d: AgentUnreachableData) => d.agentId },
  OffersMade: { current: 1, versions: { 1: offersMadeV1 }, key: () => 'offers' },
  OfferAccepted: { current: 1, versions: { 1: offerAcceptedV1 }, key: (d: OfferAcceptedData) => d.offerId },
  OfferDeclined: { current: 1, versions: { 1: offerDeclinedV1 }, key: (d: OfferDeclinedData) => d.offerId },
  TaskLaunched: { current: 1, versions: { 1: taskLaunchedV1 }, key: (d: TaskLaunchedData) => d.taskId },
  TaskStatusUpdated: { current: 1, versions: { 1: taskStatusUpdatedV1 }, key: (d: TaskStatusUpdatedData) => d.taskId },
  TaskKillRequested: { current: 1, versions: { 1: taskKillRequestedV1 }, key: (d: TaskKillRequestedData) => d.taskId },
} as const;

export type EventType = keyof typeof catalogue;
export const eventTypes = Object.keys(catalogue) as EventType[];

export type LeaderElectedData = z.infer<typeof leaderElectedV1>;
export type AppCreatedData = z.infer<typeof appCreatedV1>;
export type AppUpdatedData = z.infer<typeof appUpdatedV1>;
export type AppScaledData = z.infer<typeof appScaledV2>;
export type AppDeletedData = z.infer<typeof appDeletedV1>;

export type LaunchDelayedData = z.infer<typeof launchDelayedV1>;
export type AgentRegisteredData = z.infer<typeof agentRegisteredV1>;
export type AgentReregisteredData = z.infer<typeof agentReregisteredV1>;
export type AgentDisconnectedData = z.infer<typeof agentDisconnectedV1>;
export type AgentUnreachableData = z.infer<typeof agentUnreachableV1>;
export type OffersMadeData = z.infer<typeof offersMadeV1>;
export type OfferAcceptedData = z.infer<typeof offerAcceptedV1>;
export type OfferDeclinedData = z.infer<typeof offerDeclinedV1>;
export type TaskLaunchedData = z.infer<typeof taskLaunchedV1>;
export type TaskStatusUpdatedData = z.infer<typeof taskStatusUpdatedV1>;
export type TaskKillRequestedData = z.infer<typeof taskKillRequestedV1>;

export type LeaderElected = EventEnvelope<'LeaderElected', LeaderElectedData>;
export type AppCreated = EventEnvelope<'AppCreated', AppCreatedData>;
export type AppUpdated = EventEnvelope<'AppUpdated', AppUpdatedData>;
export type AppScaled = EventEnvelope<'AppScaled', AppScaledData>;
export type AppDeleted = EventEnvelope<'AppDeleted', AppDeletedData>;

export type LaunchDelayed = EventEnvelope<'LaunchDelayed', LaunchDelayedData>;
export type AgentRegistered = EventEnvelope<'AgentRegistered', AgentRegisteredData>;
export type AgentReregistered = EventEnvelope<'AgentReregistered', AgentReregisteredData>;
export type AgentDisconnected = EventEnvelope<'AgentDisconnected', AgentDisconnectedData>;
export type AgentUnreachable = EventEnvelope<'AgentUnreachable', AgentUnreachableData>;
export type OffersMade = EventEnvelope<'OffersMade', OffersMadeData>;
export type OfferAccepted = EventEnvelope<'OfferAccepted', OfferAcceptedData>;
export type OfferDeclined = EventEnvelope<'OfferDeclined', OfferDeclinedData>;
export type TaskLaunched = EventEnvelope<'TaskLaunched', TaskLaunchedData>;
export type TaskStatusUpdated = EventEnvelope<'TaskStatusUpdated', TaskStatusUpdatedData>;
export type TaskKillRequested = EventEnvelope<'TaskKillRequested', TaskKillRequestedData>;

/** Every event Cairn writes, at its current version. */
export type CairnEvent =
  | LeaderElected
  | AppCreated
  | AppUpdated
  | AppScaled
  | AppDeleted
  | LaunchDelayed
  | AgentRegistered
  | AgentReregistered
  | AgentDisconnected
  | AgentUnreachable
  | OffersMade
  | OfferAccepted
  | OfferDeclined
  | TaskLaunched
  | TaskStatusUpdated
  | TaskKillRequested;

/** The data of one event type at its current version. */
export type EventData<T extends EventType> = Extract<CairnEvent, { type: T }>['data'];

export function isEventType(type: string): type is EventType {
  return Object.prototype.hasOwnProperty.call(catalogue, type);
}

export function currentSchema(type: EventType): z.ZodType {
  const entry = catalogue[type];
  return (entry.versions as Record<number, z.ZodType>)[entry.current];
}

export * from './app-definition.schema';
export * from './app.events';
export * from './cluster.events';
export * from './agent.events';
export * from './offer.events';
export * from './task.events';
export * from './task-state.schema';
