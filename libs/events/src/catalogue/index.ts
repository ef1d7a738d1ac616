import { z } from 'zod';
import { EventEnvelope } from '../envelope';
import { appCreatedV1, appDeletedV1, appScaledV1, appScaledV2, appUpdatedV1 } from './app.events';
import { leaderElectedV1 } from './cluster.events';

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
} as const;

export type EventType = keyof typeof catalogue;
export const eventTypes = Object.keys(catalogue) as EventType[];

export type LeaderElectedData = z.infer<typeof leaderElectedV1>;
export type AppCreatedData = z.infer<typeof appCreatedV1>;
export type AppUpdatedData = z.infer<typeof appUpdatedV1>;
export type AppScaledData = z.infer<typeof appScaledV2>;
export type AppDeletedData = z.infer<typeof appDeletedV1>;

export type LeaderElected = EventEnvelope<'LeaderElected', LeaderElectedData>;
export type AppCreated = EventEnvelope<'AppCreated', AppCreatedData>;
export type AppUpdated = EventEnvelope<'AppUpdated', AppUpdatedData>;
export type AppScaled = EventEnvelope<'AppScaled', AppScaledData>;
export type AppDeleted = EventEnvelope<'AppDeleted', AppDeletedData>;

/** Every event Cairn writes, at its current version. */
export type CairnEvent = LeaderElected | AppCreated | AppUpdated | AppScaled | AppDeleted;

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
