export { MarathonValidationError } from './marathon-validation.error';
export { InvalidJsonBodyError, EmptyJsonBodyError } from './json-body.errors';
export { MarathonExceptionFilter } from './marathon-exception.filter';
export { toMarathonErrorResponse, ErrorMessages, type MarathonErrorResponse } from './marathon-error-response';
export { useMarathonBodyParsing } from './marathon-body-parsing';
