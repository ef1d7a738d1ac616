export {
  validateAppDefinition,
  validatePathId,
  type AppValidationOptions,
  type AppValidationResult,
  type AppValidationFailure,
  type PathIdValidationResult,
} from './validate-app-definition';
export { normaliseAppId, parentOf, AppIdMessages } from './app-id';
export { INVALID_JSON_MESSAGE, OBJECT_NOT_VALID_MESSAGE, type ValidationDetail } from './validation-details';
export { JsonError } from './json-shape';
export { RuleMessages } from './rules/rule-messages';
export { AppDefinitionDto, APP_DEFINITION_FIELDS } from './dto/app-definition.dto';
