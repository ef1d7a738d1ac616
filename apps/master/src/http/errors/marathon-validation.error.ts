import type { ValidationDetail } from '../validation/validation-details';

/**
 * An invalid request body or path id: answered 422 `{ message, details: [{ path, errors }] }`,
 * Marathon's shape (notes §2.4). Build it from a failed validation result:
 * `new MarathonValidationError(result.message, result.details)`.
 */
export class MarathonValidationError extends Error {
  constructor(
    message: string,
    readonly details: ValidationDetail[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}
