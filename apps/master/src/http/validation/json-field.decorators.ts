// class-transformer's @Type reads design-time types through reflect-metadata.
import 'reflect-metadata';
import { Type } from 'class-transformer';
import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';
import { ValidateBy, ValidateNested } from 'class-validator';
import { checkField, jsonArrayOf, JsonError, jsonObject, Located, ShapeCheck } from './json-shape';

/**
 * class-validator decorators for DTO properties. Each property carries ONE shape check, so the
 * errors of a property never depend on decorator order, and a wrong type is reported once
 * (play-json reports `error.expected.jsnumber`, not that plus `error.min`).
 *
 * A check can fail deep inside the value (`/env/FOO/secret`, `/args(2)`), but class-validator
 * keeps one message per constraint and property. The located errors therefore travel inside
 * that message, base64-encoded so class-validator's `$value`/`$property` token substitution
 * cannot touch them, and `decodeLocated` turns them back into paths.
 */
const LOCATED_PREFIX = 'cairn-located:';

export function encodeLocated(errors: Located[]): string {
  return LOCATED_PREFIX + Buffer.from(JSON.stringify(errors), 'utf8').toString('base64');
}

/** The located errors of a class-validator message; a foreign message is one error at the property. */
export function decodeLocated(message: string): Located[] {
  if (!message.startsWith(LOCATED_PREFIX)) return [{ at: '', error: message }];
  const json = Buffer.from(message.slice(LOCATED_PREFIX.length), 'base64').toString('utf8');
  return JSON.parse(json) as Located[];
}

export interface JsonFieldOptions {
  /** Absent (undefined) is `error.path.missing`. Otherwise an absent field is fine. */
  readonly required?: boolean;
}

/**
 * A property checked by one shape check. `null` is a value like any other (and fails type checks).
 * The check's schema documents the property (the DTO's schema in /openapi.json).
 */
export function JsonField(check: ShapeCheck, options: JsonFieldOptions = {}): PropertyDecorator {
  return combine(shapeChecked(check, options), documented(check.schema, options));
}

function shapeChecked(check: ShapeCheck, options: JsonFieldOptions): PropertyDecorator {
  const rule = { check, required: options.required };
  return ValidateBy({
    name: 'jsonShape',
    validator: {
      validate: (value: unknown) => checkField(value, rule).length === 0,
      defaultMessage: (args) => encodeLocated(checkField(args?.value, rule)),
    },
  });
}

/** The property in the DTO's OpenAPI schema (a schema without `type` stays so: no reflected type). */
function documented(schema: Record<string, unknown>, options: JsonFieldOptions): PropertyDecorator {
  // ApiProperty's own `required` says whether the property is; an object schema's `required` (the
  // members it needs) would be overwritten by it, so such a schema goes in whole under `allOf`.
  const whole = Array.isArray(schema.required) ? { allOf: [schema] } : schema;
  return ApiProperty({ ...whole, required: options.required ?? false } as ApiPropertyOptions);
}

type DtoClass = new () => object;

const NOT_AN_OBJECT = encodeLocated([{ at: '', error: JsonError.object }]);

/**
 * A sub-object with its own DTO. Nested validation runs even when the shape check fails, so its
 * own complaint about a non-object carries the same located error, which the collector merges.
 */
export function NestedObject(dto: () => DtoClass, options: JsonFieldOptions = {}): PropertyDecorator {
  return combine(
    shapeChecked(jsonObject, options),
    ValidateNested({ message: NOT_AN_OBJECT }),
    Type(dto),
    // An inline `type: () => ...` is what @nestjs/swagger takes for a lazy (possibly circular) type.
    ApiProperty({ type: () => dto(), required: options.required ?? false }),
  );
}

/**
 * An array of sub-objects with their own DTO. Every element must be an object: the shape check
 * reports each one that is not (class-validator alone would validate `[[{...}]]` as if flat).
 */
export function NestedArray(dto: () => DtoClass, options: JsonFieldOptions = {}): PropertyDecorator {
  return combine(
    shapeChecked(jsonArrayOf(jsonObject), options),
    ValidateNested({ each: true, message: NOT_AN_OBJECT }),
    Type(dto),
    ApiProperty({ type: () => dto(), isArray: true, required: options.required ?? false }),
  );
}

function combine(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, propertyKey) => decorators.forEach((decorate) => decorate(target, propertyKey));
}
