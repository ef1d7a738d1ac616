import { ApiSchema } from '@nestjs/swagger';
import { JsonField } from '../json-field.decorators';
import { jsonNumber } from '../json-shape';

/** `upgradeStrategy` (RAML `UpgradeStrategy`): both capacities are fractions in [0, 1]. */
@ApiSchema({ name: 'UpgradeStrategy' })
export class UpgradeStrategyDto {
  @JsonField(jsonNumber({ min: 0, max: 1 }))
  minimumHealthCapacity?: number;

  @JsonField(jsonNumber({ min: 0, max: 1 }))
  maximumOverCapacity?: number;
}
