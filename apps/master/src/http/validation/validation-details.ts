import type { ValidationError } from 'class-validator';
import { decodeLocated } from './json-field.decorators';

/**
 * One entry of a Marathon 422 body: `{ path, errors }`. Paths follow Marathon (notes §2.4):
 * `/name` per member, `(i)` per array index appended without a slash (`/healthChecks(0)/portIndex`),
 * and `/` for the object itself.
 */
export interface ValidationDetail {
  path: string;
  errors: string[];
}

/** The `message` of a 422 whose details come from the parse layer (types, bounds, patterns). */
export const INVALID_JSON_MESSAGE = 'Invalid JSON';
/** The `message` of a 422 whose details come from the semantic rules. */
export const OBJECT_NOT_VALID_MESSAGE = 'Object is not valid';

/** Collects errors grouped by path, in first-seen order, without duplicates (Marathon groups by path). */
export class DetailsCollector {
  private readonly byPath = new Map<string, string[]>();

  add(path: string, error: string): void {
    const rendered = path === '' ? '/' : path;
    const errors = this.byPath.get(rendered) ?? [];
    if (!errors.includes(error)) errors.push(error);
    this.byPath.set(rendered, errors);
  }

  get isEmpty(): boolean {
    return this.byPath.size === 0;
  }

  toDetails(): ValidationDetail[] {
    return [...this.byPath].map(([path, errors]) => ({ path, errors: [...errors] }));
  }
}

/**
 * Flattens class-validator's error tree into Marathon paths. A child of an array-valued
 * property is an index (`(0)`); any other child is a member (`/image`).
 */
export function collectValidationErrors(errors: ValidationError[], into: DetailsCollector, parentPath = ''): void {
  for (const error of errors) {
    collectOne(error, into, `${parentPath}/${error.property}`);
  }
}

function collectOne(error: ValidationError, into: DetailsCollector, path: string): void {
  for (const message of Object.values(error.constraints ?? {})) {
    for (const located of decodeLocated(message)) into.add(path + located.at, located.error);
  }
  const indexed = Array.isArray(error.value);
  for (const child of error.children ?? []) {
    collectOne(child, into, indexed ? `${path}(${child.property})` : `${path}/${child.property}`);
  }
}
