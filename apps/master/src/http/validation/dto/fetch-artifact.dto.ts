import { ApiSchema } from '@nestjs/swagger';
import { JsonField } from '../json-field.decorators';
import { jsonBoolean } from '../json-shape';
import { jsonSandboxPath, jsonUri } from './field-checks';

/** One of `fetch[]`: a URI for the Mesos fetcher (RAML `Artifact`). */
@ApiSchema({ name: 'FetchArtifact' })
export class FetchArtifactDto {
  @JsonField(jsonUri, { required: true })
  uri!: string;

  @JsonField(jsonBoolean)
  extract?: boolean;

  @JsonField(jsonBoolean)
  executable?: boolean;

  @JsonField(jsonBoolean)
  cache?: boolean;

  @JsonField(jsonSandboxPath)
  destPath?: string;
}
