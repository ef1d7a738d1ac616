import { z } from 'zod';
import { EventEnvelope } from '../envelope';
import { appCreatedV1, appDeletedV1, appScaledV1, appScaledV2, appUpdatedV1 } from './app.events';
import { clusterVersionRaisedV1, leaderElectedV1, snapshotWrittenV1 } from './cluster.events';
import { groupCreatedV1, groupDeletedV1, groupUpdatedV1 } from './group.events';
import {
  agentDisconnectedV1,
  agentDrainedV1,
  agentDrainStartedV1,
  agentReactivatedV1,
  agentRegisteredV1,
  agentReregisteredV1,
  agentUnreachableV1,
} from './agent.events';
import {
  launchDelayedV1,
  launchDelayResetV1,
  offerAcceptedV1,
  offerDeclinedV1,
  offersDeclinedV1,
  offersMadeV1,
} from './offer.events';
import {
  taskHealthChangedV1,
  taskKillRequestedV1,
  taskLaunchedV1,
  taskLaunchedV2,
  taskLaunchedV3,
  taskReadinessChangedV1,
  taskStatusUpdatedV1,
  taskUnreachableInactiveV1,
  taskUnreachableV1,
} from './task.events';
import {
  appRestartRequestedV1,
  deploymentCancelledV1,
  deploymentFinishedV1,
  deploymentStartedV1,
  deploymentStepFinishedV1,
} from './deployment.events';

/**
 * The event catalogue: every type Cairn writes, its current version, its schema at every
 * version it ever had, and the key (aggregate id) its records carry. Type names are permanent.
 * An old version is upcast on read (see ../upcast.ts), never rewritten in the log.
 */
export const catalogue = {
  LeaderElected: { current: 1, versions: { 1: leaderElectedV1 }, key: () => 'cluster' },
  SnapshotWritten: { current: 1, versions: { 1: snapshotWrittenV1 }, key: () => 'cluster' },
  AppCreated: { current: 1, versions: { 1: appCreatedV1 }, key: (d: AppCreatedData) => d.app.id },
  AppUpdated: { current: 1, versions: { 1: appUpdatedV1 }, key: (d: AppUpdatedData) => d.app.id },
  AppScaled: { current: 2, versions: { 1: appScaledV1, 2: appScaledV2 }, key: (d: AppScaledData) => d.appId },
  AppDeleted: { current: 1, versions: { 1: appDeletedV1 }, key: (d: AppDeletedData) => d.appId },
  LaunchDelayed: { current: 1, versions: { 1: launchDelayedV1 }, key: (d: LaunchDelayedData) => d.appId },
  LaunchDelayReset: {
    current: 1,
    versions: { 1: launchDelayResetV1 },
    key: (d: LaunchDelayResetData) => d.appId,
  },
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
  TaskLaunched: {
    current: 3,
    versions: { 1: taskLaunchedV1, 2: taskLaunchedV2, 3: taskLaunchedV3 },
    key: (d: TaskLaunchedData) => d.taskId,
  },
  TaskStatusUpdated: { current: 1, versions: { 1: taskStatusUpdatedV1 }, key: (d: TaskStatusUpdatedData) => d.taskId },
  TaskKillRequested: { current: 1, versions: { 1: taskKillRequestedV1 }, key: (d: TaskKillRequestedData) => d.taskId },
  TaskUnreachable: { current: 1, versions: { 1: taskUnreachableV1 }, key: (d: TaskUnreachableData) => d.taskId },
  TaskUnreachableInactive: {
    current: 1,
    versions: { 1: taskUnreachableInactiveV1 },
    key: (d: TaskUnreachableInactiveData) => d.taskId,
  },
  TaskHealthChanged: { current: 1, versions: { 1: taskHealthChangedV1 }, key: (d: TaskHealthChangedData) => d.taskId },
  TaskReadinessChanged: {
    current: 1,
    versions: { 1: taskReadinessChangedV1 },
    key: (d: TaskReadinessChangedData) => d.taskId,
  },
  AppRestartRequested: {
    current: 1,
    versions: { 1: appRestartRequestedV1 },
    key: (d: AppRestartRequestedData) => d.appId,
  },
  DeploymentStarted: {
    current: 1,
    versions: { 1: deploymentStartedV1 },
    key: (d: DeploymentStartedData) => d.deploymentId,
  },
  DeploymentStepFinished: {
    current: 1,
    versions: { 1: deploymentStepFinishedV1 },
    key: (d: DeploymentStepFinishedData) => d.deploymentId,
  },
  DeploymentFinished: {
    current: 1,
    versions: { 1: deploymentFinishedV1 },
    key: (d: DeploymentFinishedData) => d.deploymentId,
  },
  DeploymentCancelled: {
    current: 1,
    versions: { 1: deploymentCancelledV1 },
    key: (d: DeploymentCancelledData) => d.deploymentId,
  },
  // Format level 2 (format-level.ts): written only once the cluster reads it.
  ClusterVersionRaised: { current: 1, versions: { 1: clusterVersionRaisedV1 }, key: () => 'cluster' },
  // Format level 3: groups.
  GroupCreated: { current: 1, versions: { 1: groupCreatedV1 }, key: (d: GroupCreatedData) => d.group.id },
  GroupUpdated: { current: 1, versions: { 1: groupUpdatedV1 }, key: (d: GroupUpdatedData) => d.group.id },
  GroupDeleted: { current: 1, versions: { 1: groupDeletedV1 }, key: (d: GroupDeletedData) => d.groupId },
  // Format level 3: agent maintenance (drain).
  AgentDrainStarted: {
    current: 1,
    versions: { 1: agentDrainStartedV1 },
    key: (d: AgentDrainStartedData) => d.agentId,
  },
  AgentDrained: { current: 1, versions: { 1: agentDrainedV1 }, key: (d: AgentDrainedData) => d.agentId },
  AgentReactivated: { current: 1, versions: { 1: agentReactivatedV1 }, key: (d: AgentReactivatedData) => d.agentId },
  // Format level 3: one decline per allocation pass.
  OffersDeclined: { current: 1, versions: { 1: offersDeclinedV1 }, key: () => 'offers' },
} as const;

export type EventType = keyof typeof catalogue;
export const eventTypes = Object.keys(catalogue) as EventType[];

export type LeaderElectedData = z.infer<typeof leaderElectedV1>;
export type SnapshotWrittenData = z.infer<typeof snapshotWrittenV1>;
export type AppCreatedData = z.infer<typeof appCreatedV1>;
export type AppUpdatedData = z.infer<typeof appUpdatedV1>;
export type AppScaledData = z.infer<typeof appScaledV2>;
export type AppDeletedData = z.infer<typeof appDeletedV1>;

export type LaunchDelayedData = z.infer<typeof launchDelayedV1>;
export type LaunchDelayResetData = z.infer<typeof launchDelayResetV1>;
export type AgentRegisteredData = z.infer<typeof agentRegisteredV1>;
export type AgentReregisteredData = z.infer<typeof agentReregisteredV1>;
export type AgentDisconnectedData = z.infer<typeof agentDisconnectedV1>;
export type AgentUnreachableData = z.infer<typeof agentUnreachableV1>;
export type OffersMadeData = z.infer<typeof offersMadeV1>;
export type OfferAcceptedData = z.infer<typeof offerAcceptedV1>;
export type OfferDeclinedData = z.infer<typeof offerDeclinedV1>;
export type TaskLaunchedData = z.infer<typeof taskLaunchedV3>;
export type TaskStatusUpdatedData = z.infer<typeof taskStatusUpdatedV1>;
export type TaskKillRequestedData = z.infer<typeof taskKillRequestedV1>;
export type TaskUnreachableData = z.infer<typeof taskUnreachableV1>;
export type TaskUnreachableInactiveData = z.infer<typeof taskUnreachableInactiveV1>;
export type TaskHealthChangedData = z.infer<typeof taskHealthChangedV1>;
export type TaskReadinessChangedData = z.infer<typeof taskReadinessChangedV1>;
export type AppRestartRequestedData = z.infer<typeof appRestartRequestedV1>;
export type DeploymentStartedData = z.infer<typeof deploymentStartedV1>;
export type DeploymentStepFinishedData = z.infer<typeof deploymentStepFinishedV1>;
export type DeploymentFinishedData = z.infer<typeof deploymentFinishedV1>;
export type DeploymentCancelledData = z.infer<typeof deploymentCancelledV1>;
export type ClusterVersionRaisedData = z.infer<typeof clusterVersionRaisedV1>;
export type GroupCreatedData = z.infer<typeof groupCreatedV1>;
export type GroupUpdatedData = z.infer<typeof groupUpdatedV1>;
export type GroupDeletedData = z.infer<typeof groupDeletedV1>;
export type AgentDrainStartedData = z.infer<typeof agentDrainStartedV1>;
export type AgentDrainedData = z.infer<typeof agentDrainedV1>;
export type AgentReactivatedData = z.infer<typeof agentReactivatedV1>;
export type OffersDeclinedData = z.infer<typeof offersDeclinedV1>;

export type LeaderElected = EventEnvelope<'LeaderElected', LeaderElectedData>;
export type SnapshotWritten = EventEnvelope<'SnapshotWritten', SnapshotWrittenData>;
export type AppCreated = EventEnvelope<'AppCreated', AppCreatedData>;
export type AppUpdated = EventEnvelope<'AppUpdated', AppUpdatedData>;
export type AppScaled = EventEnvelope<'AppScaled', AppScaledData>;
export type AppDeleted = EventEnvelope<'AppDeleted', AppDeletedData>;

export type LaunchDelayed = EventEnvelope<'LaunchDelayed', LaunchDelayedData>;
export type LaunchDelayReset = EventEnvelope<'LaunchDelayReset', LaunchDelayResetData>;
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
export type TaskUnreachable = EventEnvelope<'TaskUnreachable', TaskUnreachableData>;
export type TaskUnreachableInactive = EventEnvelope<'TaskUnreachableInactive', TaskUnreachableInactiveData>;
export type TaskHealthChanged = EventEnvelope<'TaskHealthChanged', TaskHealthChangedData>;
export type TaskReadinessChanged = EventEnvelope<'TaskReadinessChanged', TaskReadinessChangedData>;
export type AppRestartRequested = EventEnvelope<'AppRestartRequested', AppRestartRequestedData>;
export type DeploymentStarted = EventEnvelope<'DeploymentStarted', DeploymentStartedData>;
export type DeploymentStepFinished = EventEnvelope<'DeploymentStepFinished', DeploymentStepFinishedData>;
export type DeploymentFinished = EventEnvelope<'DeploymentFinished', DeploymentFinishedData>;
export type DeploymentCancelled = EventEnvelope<'DeploymentCancelled', DeploymentCancelledData>;
export type ClusterVersionRaised = EventEnvelope<'ClusterVersionRaised', ClusterVersionRaisedData>;
export type GroupCreated = EventEnvelope<'GroupCreated', GroupCreatedData>;
export type GroupUpdated = EventEnvelope<'GroupUpdated', GroupUpdatedData>;
export type GroupDeleted = EventEnvelope<'GroupDeleted', GroupDeletedData>;
export type AgentDrainStarted = EventEnvelope<'AgentDrainStarted', AgentDrainStartedData>;
export type AgentDrained = EventEnvelope<'AgentDrained', AgentDrainedData>;
export type AgentReactivated = EventEnvelope<'AgentReactivated', AgentReactivatedData>;
export type OffersDeclined = EventEnvelope<'OffersDeclined', OffersDeclinedData>;

/** Every event Cairn writes, at its current version. */
export type CairnEvent =
  | LeaderElected
  | SnapshotWritten
  | AppCreated
  | AppUpdated
  | AppScaled
  | AppDeleted
  | LaunchDelayed
  | LaunchDelayReset
  | AgentRegistered
  | AgentReregistered
  | AgentDisconnected
  | AgentUnreachable
  | OffersMade
  | OfferAccepted
  | OfferDeclined
  | TaskLaunched
  | TaskStatusUpdated
  | TaskKillRequested
  | TaskUnreachable
  | TaskUnreachableInactive
  | TaskHealthChanged
  | TaskReadinessChanged
  | AppRestartRequested
  | DeploymentStarted
  | DeploymentStepFinished
  | DeploymentFinished
  | DeploymentCancelled
  | ClusterVersionRaised
  | GroupCreated
  | GroupUpdated
  | GroupDeleted
  | AgentDrainStarted
  | AgentDrained
  | AgentReactivated
  | OffersDeclined;

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
export * from './group.events';
export * from './agent.events';
export * from './offer.events';
export * from './task.events';
export * from './task-state.schema';
export * from './deployment.events';
