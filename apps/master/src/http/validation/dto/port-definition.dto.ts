import { ApiSchema } from '@nestjs/swagger';
import { JsonField } from '../json-field.decorators';
import { jsonArrayOf, jsonPort } from '../json-shape';
import { jsonLabels, jsonLegacyName, jsonName, jsonNetworkProtocol } from './field-checks';

/** One of `portDefinitions[]` (host networking; RAML `PortDefinition`). */
@ApiSchema({ name: 'PortDefinition' })
export class PortDefinitionDto {
  @JsonField(jsonPort)
  port?: number;

  @JsonField(jsonLabels)
  labels?: Record<string, string>;

  @JsonField(jsonLegacyName)
  name?: string;

  @JsonField(jsonNetworkProtocol)
  protocol?: string;
}

/** One of `container.portMappings[]` or the deprecated `container.docker.portMappings[]`. */
@ApiSchema({ name: 'PortMapping' })
export class PortMappingDto {
  @JsonField(jsonPort)
  containerPort?: number;

  @JsonField(jsonPort)
  hostPort?: number;

  @JsonField(jsonPort)
  servicePort?: number;

  @JsonField(jsonLabels)
  labels?: Record<string, string>;

  @JsonField(jsonLegacyName)
  name?: string;

  @JsonField(jsonNetworkProtocol)
  protocol?: string;

  @JsonField(jsonArrayOf(jsonName))
  networkNames?: string[];
}
