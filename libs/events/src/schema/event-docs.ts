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
};
