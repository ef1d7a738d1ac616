import { ApiSchema } from '@nestjs/swagger';
import { JsonField } from '../json-field.decorators';
import { jsonEnum } from '../json-shape';
import { jsonLabels, jsonNetworkName } from './field-checks';

export const NETWORK_MODES = ['container', 'container/bridge', 'host'] as const;
export type NetworkMode = (typeof NETWORK_MODES)[number];

/** One of `networks[]` (RAML `Network`). A missing mode means `container` (RAML default). */
@ApiSchema({ name: 'Network' })
export class NetworkDto {
  @JsonField(jsonNetworkName)
  name?: string;

  @JsonField(jsonEnum(NETWORK_MODES))
  mode?: NetworkMode;

  @JsonField(jsonLabels)
  labels?: Record<string, string>;
}
