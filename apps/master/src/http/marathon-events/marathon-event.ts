/**
 * The Marathon event types /v2/events renders. Only types that marathon-python 0.13.0's
 * EventFactory knows are listed: it raises on any other `eventType` (notes §9).
 */
export const MARATHON_EVENT_TYPES = [
  'api_post_event',
  'status_update_event',
  'instance_changed_event',
  'health_status_changed_event',
  'instance_health_changed_event',
  'failed_health_check_event',
  'unhealthy_instance_kill_event',
  'deployment_info',
  'deployment_step_success',
  'deployment_step_failure',
  'deployment_success',
  'deployment_failed',
  'group_change_success',
  'app_terminated_event',
  'event_stream_attached',
] as const;
export type MarathonEventType = (typeof MARATHON_EVENT_TYPES)[number];

/** One Marathon bus event: `eventType`, `timestamp` (ISO-8601) and the type's own fields. */
export interface MarathonEvent {
  readonly eventType: MarathonEventType;
  readonly timestamp: string;
  readonly [field: string]: unknown;
}
