import { ApiSchema } from '@nestjs/swagger';
import { JsonField, NestedArray, NestedObject } from '../json-field.decorators';
import { jsonArrayOf, jsonBoolean, jsonEnum, jsonInt, jsonObject, jsonObjectWith, jsonString } from '../json-shape';
import { jsonConstraint } from './field-checks';
import { PortMappingDto } from './port-definition.dto';

export const CONTAINER_TYPES = ['DOCKER', 'MESOS'] as const;
export type ContainerType = (typeof CONTAINER_TYPES)[number];
/** RAML `Container.type` default. */
export const DEFAULT_CONTAINER_TYPE: ContainerType = 'DOCKER';

export const DOCKER_NETWORKS = ['BRIDGE', 'HOST', 'NONE', 'USER'] as const;
export type DockerNetwork = (typeof DOCKER_NETWORKS)[number];

/** `container.docker` (RAML `DockerContainer`). */
@ApiSchema({ name: 'Docker' })
export class DockerDto {
  @JsonField(jsonString({ minLength: 1 }), { required: true })
  image!: string;

  @JsonField(jsonBoolean)
  forcePullImage?: boolean;

  @JsonField(jsonBoolean)
  privileged?: boolean;

  /** Deprecated in favour of `networks`. */
  @JsonField(jsonEnum(DOCKER_NETWORKS))
  network?: DockerNetwork;

  @JsonField(
    jsonArrayOf(
      jsonObjectWith({
        key: { check: jsonString({ minLength: 1 }), required: true },
        value: { check: jsonString(), required: true },
      }),
    ),
  )
  parameters?: { key: string; value: string }[];

  /** Deprecated in favour of `container.portMappings`. */
  @NestedArray(() => PortMappingDto)
  portMappings?: PortMappingDto[];

  @JsonField(jsonObjectWith({ secret: { check: jsonString({ minLength: 1 }), required: true } }))
  pullConfig?: { secret: string };

  /** Deprecated since Marathon 1.5. */
  @JsonField(jsonObjectWith({ principal: { check: jsonString(), required: true }, secret: { check: jsonString() } }))
  credential?: { principal: string; secret?: string };
}

const jsonPersistentVolume = jsonObjectWith({
  type: { check: jsonEnum(['root', 'path', 'mount']) },
  size: { check: jsonInt({ min: 0 }), required: true },
  maxSize: { check: jsonInt({ min: 0 }) },
  profileName: { check: jsonString() },
  constraints: { check: jsonArrayOf(jsonConstraint) },
});

/** One of `container.volumes[]`: a host, persistent, external or secret volume (RAML `AppVolume`). */
@ApiSchema({ name: 'Volume' })
export class VolumeDto {
  @JsonField(jsonString({ minLength: 1 }), { required: true })
  containerPath!: string;

  @JsonField(jsonString({ minLength: 1 }))
  hostPath?: string;

  @JsonField(jsonEnum(['RO', 'RW']))
  mode?: 'RO' | 'RW';

  @JsonField(jsonPersistentVolume)
  persistent?: Record<string, unknown>;

  @JsonField(jsonObject)
  external?: Record<string, unknown>;

  @JsonField(jsonString({ minLength: 1 }))
  secret?: string;
}

/** `container` (RAML `Container`). */
@ApiSchema({ name: 'Container' })
export class ContainerDto {
  @JsonField(jsonEnum(CONTAINER_TYPES))
  type?: ContainerType;

  @NestedObject(() => DockerDto)
  docker?: DockerDto;

  @NestedArray(() => PortMappingDto)
  portMappings?: PortMappingDto[];

  @NestedArray(() => VolumeDto)
  volumes?: VolumeDto[];

  @JsonField(jsonObject)
  linuxInfo?: Record<string, unknown>;
}
