import type { EventType } from '../catalogue';

/**
 * What each event type means and which field its Kafka key comes from, for integrators. Typed
 * by `EventType`, so a new type does not compile until it is documented here; a test checks
 * that `key` names the field the codec really keys by.
 */
export interface EventDoc {
  /** One sentence: the fact the event records. */
  readonly meaning: string;
  /** The record key: a path into the envelope (`data.appId`) or a constant (`"cluster"`). */
  readonly key: { readonly path: string } | { readonly constant: string };
}

export const EVENT_DOCS: Record<EventType, EventDoc> = {
  LeaderElected: {
    meaning: 'A master became the single writer of the log; written first by every new leader, with a higher epoch.',
    key: { constant: 'cluster' },
  },
  AppCreated: {
    meaning: 'A new app: the full Marathon AppDefinition with every default filled in and its version assigned.',
    key: { path: 'data.app.id' },
  },
  AppUpdated: {
    meaning: 'A new configuration version of an app: the whole new definition, not a diff.',
    key: { path: 'data.app.id' },
  },
  AppScaled: {
    meaning: 'Only the instance count of an app changed; its configuration version (lastConfigChangeAt) stays.',
    key: { path: 'data.appId' },
  },
  AppDeleted: {
    meaning: 'The app is gone, with all its versions.',
    key: { path: 'data.appId' },
  },
  LaunchDelayed: {
    meaning: "An app's next launch waits until `until` (Marathon's backoff after task failures).",
    key: { path: 'data.appId' },
  },
  AgentRegistered: {
    meaning: 'A new agent joined with its resources and attributes; the master assigned its id.',
    key: { path: 'data.agentId' },
  },
  AgentReregistered: {
    meaning: 'A known agent came back (after an agent or master restart) with the tasks it runs.',
    key: { path: 'data.agentId' },
  },
  AgentDisconnected: {
    meaning: "The agent's command stream closed; its tasks keep their state until it is declared unreachable.",
    key: { path: 'data.agentId' },
  },
  AgentUnreachable: {
    meaning: 'The agent stayed away past the timeout; its tasks are replaced elsewhere.',
    key: { path: 'data.agentId' },
  },
  OffersMade: {
    meaning: "One allocation pass: each agent's free resources offered to one framework (DRF).",
    key: { constant: 'offers' },
  },
  OfferAccepted: {
    meaning: 'A framework used an offer to launch the listed tasks.',
    key: { path: 'data.offerId' },
  },
  OfferDeclined: {
    meaning: 'A framework used nothing of an offer; why each waiting app did not fit, with the numbers.',
    key: { path: 'data.offerId' },
  },
  TaskLaunched: {
    meaning: 'A task was placed on an agent: app, version, resources, ports, command and environment.',
    key: { path: 'data.taskId' },
  },
  TaskStatusUpdated: {
    meaning: 'A task changed state (Mesos names), as its agent reported or as the master decided on reconciliation.',
    key: { path: 'data.taskId' },
  },
  TaskKillRequested: {
    meaning: 'The master asked an agent to kill a task (scale down, app deleted, or unknown to the log).',
    key: { path: 'data.taskId' },
  },
};
