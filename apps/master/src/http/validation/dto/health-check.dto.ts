import { JsonField } from '../json-field.decorators';
import { jsonBoolean, jsonEnum, jsonObjectWith, jsonPort, jsonString } from '../json-shape';
import { jsonSeconds } from './field-checks';

export const HEALTH_CHECK_PROTOCOLS = [
  'HTTP',
  'HTTPS',
  'TCP',
  'COMMAND',
  'MESOS_HTTP',
  'MESOS_HTTPS',
  'MESOS_TCP',
] as const;
export type HealthCheckProtocol = (typeof HEALTH_CHECK_PROTOCOLS)[number];

/** One of `healthChecks[]` (RAML `AppHealthCheck`, notes §2.2). */
export class HealthCheckDto {
  @JsonField(jsonObjectWith({ value: { check: jsonString(), required: true } }))
  command?: { value: string };

  @JsonField(jsonSeconds)
  gracePeriodSeconds?: number;

  @JsonField(jsonBoolean)
  ignoreHttp1xx?: boolean;

  @JsonField(jsonSeconds)
  intervalSeconds?: number;

  @JsonField(jsonSeconds)
  maxConsecutiveFailures?: number;

  @JsonField(jsonString())
  path?: string;

  @JsonField(jsonPort)
  port?: number;

  @JsonField(jsonPort)
  portIndex?: number;

  @JsonField(jsonEnum(HEALTH_CHECK_PROTOCOLS))
  protocol?: HealthCheckProtocol;

  @JsonField(jsonEnum(['IPv4', 'IPv6']))
  ipProtocol?: 'IPv4' | 'IPv6';

  @JsonField(jsonSeconds)
  timeoutSeconds?: number;

  @JsonField(jsonSeconds)
  delaySeconds?: number;
}
