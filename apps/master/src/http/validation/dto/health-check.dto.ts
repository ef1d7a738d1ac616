import { ApiSchema } from '@nestjs/swagger';
import { JsonField } from '../json-field.decorators';
import { jsonBoolean, jsonEnum, jsonObjectWith, jsonPort, jsonString } from '../json-shape';
import { jsonSeconds } from './field-checks';

export { HEALTH_CHECK_PROTOCOLS, type HealthCheckProtocol } from '@cairn/events';
import { HEALTH_CHECK_PROTOCOLS, type HealthCheckProtocol } from '@cairn/events';

/** One of `healthChecks[]` (RAML `AppHealthCheck`, notes §2.2). */
@ApiSchema({ name: 'HealthCheck' })
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
