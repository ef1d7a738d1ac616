import { ApiSchema } from '@nestjs/swagger';
import { JsonField } from '../json-field.decorators';
import { jsonArrayOf, jsonBoolean, jsonEnum, jsonInt, jsonString } from '../json-shape';
import { jsonLegacyName, jsonSandboxPath, jsonSeconds } from './field-checks';

/** Marathon's readiness-check defaults, needed by the `timeoutSeconds < intervalSeconds` rule. */
export const READINESS_DEFAULTS = { intervalSeconds: 30, timeoutSeconds: 10 } as const;

/** One of `readinessChecks[]` (RAML `ReadinessCheck`, notes §2.2). */
@ApiSchema({ name: 'ReadinessCheck' })
export class ReadinessCheckDto {
  @JsonField(jsonString({ minLength: 1 }))
  name?: string;

  @JsonField(jsonEnum(['HTTP', 'HTTPS']))
  protocol?: 'HTTP' | 'HTTPS';

  @JsonField(jsonSandboxPath)
  path?: string;

  @JsonField(jsonLegacyName)
  portName?: string;

  @JsonField(jsonSeconds)
  intervalSeconds?: number;

  @JsonField(jsonInt({ min: 1 }))
  timeoutSeconds?: number;

  @JsonField(jsonArrayOf(jsonInt({ min: 100, max: 999 }), { minItems: 1 }))
  httpStatusCodesForReady?: number[];

  @JsonField(jsonBoolean)
  preserveLastResponse?: boolean;
}
