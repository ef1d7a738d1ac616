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
  SnapshotWritten: {
    meaning:
      'The leader stored a snapshot of the state just after `offset`, whose hash is `hash`; masters start from the newest one and replay only what follows.',
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
  LaunchDelayReset: {
    meaning: "An operator cleared an app's launch backoff (DELETE /v2/queue/{id}/delay): it launches at once.",
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
    meaning:
      'The master asked an agent to kill a task (scale down, app deleted, deployment step, failed health check, or unknown to the log).',
    key: { path: 'data.taskId' },
  },
  TaskUnreachable: {
    meaning:
      "The task's agent became unreachable and its app's unreachableStrategy keeps it: it counts until inactive, and is expunged after expungeAfterSeconds unless its agent returns.",
    key: { path: 'data.taskId' },
  },
  TaskUnreachableInactive: {
    meaning: 'An unreachable task stopped counting towards its app (inactiveAfterSeconds passed): it is replaced.',
    key: { path: 'data.taskId' },
  },
  TaskHealthChanged: {
    meaning:
      "One of a task's health checks changed verdict (alive <-> not alive, or reached maxConsecutiveFailures), as its agent reported.",
    key: { path: 'data.taskId' },
  },
  TaskReadinessChanged: {
    meaning: "A task's readiness check passed: a deployment may count it as ready.",
    key: { path: 'data.taskId' },
  },
  AppRestartRequested: {
    meaning: 'A rolling restart of an app with an unchanged spec: a new configuration version.',
    key: { path: 'data.appId' },
  },
  DeploymentStarted: {
    meaning:
      'A plan of steps to take apps from `original` to `target` (Marathon deployment), with the request that caused it.',
    key: { path: 'data.deploymentId' },
  },
  DeploymentStepFinished: {
    meaning: 'Every action of one step of a deployment is done; the next step starts.',
    key: { path: 'data.deploymentId' },
  },
  DeploymentFinished: {
    meaning: 'Every step of a deployment is done: its apps run their target.',
    key: { path: 'data.deploymentId' },
  },
  DeploymentCancelled: {
    meaning: 'A deployment stopped where it was: superseded by a forced change, rolled back, or stopped on purpose.',
    key: { path: 'data.deploymentId' },
  },
  ClusterVersionRaised: {
    meaning:
      "An operator raised the cluster's event format level: every master reads it, so the leader may write the event types it introduced.",
    key: { constant: 'cluster' },
  },
  GroupCreated: {
    meaning:
      "A group command created a group: its own spec (id, dependencies, enforceRole); the apps in it have their own events.",
    key: { path: 'data.group.id' },
  },
  GroupUpdated: {
    meaning:
      'A group command changed a group or something in it: the group spec, whole, at the version the command gave it.',
    key: { path: 'data.group.id' },
  },
  GroupDeleted: {
    meaning: 'A group is gone, with its subgroups (each has its own GroupDeleted) and apps (each an AppDeleted).',
    key: { path: 'data.groupId' },
  },
  AgentDrainStarted: {
    meaning:
      "An operator put an agent in maintenance: nothing more is placed on it, the deployments named move its tasks elsewhere within each app's upgradeStrategy, and what still runs there at `deadline` is killed.",
    key: { path: 'data.agentId' },
  },
  AgentDrained: {
    meaning: 'A draining agent has no task left; it stays out of placement until reactivated.',
    key: { path: 'data.agentId' },
  },
  AgentReactivated: {
    meaning: 'Maintenance is over: placement may use the agent again.',
    key: { path: 'data.agentId' },
  },
  OffersDeclined: {
    meaning:
      'Nothing was launched from these offers of one allocation pass: the agents are refused until `refuseUntil`, and `reasons` says why each waiting app did not fit.',
    key: { constant: 'offers' },
  },
};
