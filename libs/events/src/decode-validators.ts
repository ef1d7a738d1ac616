import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import { EventType } from './catalogue';
import { catalogueVersions, eventJsonSchema } from './schema/event-json-schema';

/**
 * Compiled validators for the read path, one per (type, version), built from the JSON Schemas
 * that are themselves generated from the zod catalogue, so both paths check the same rules.
 *
 * Why not zod here too: replay decodes every event in the log (a million in a few seconds), and
 * zod's per-event cost was several times JSON.parse's (bench/: replay ran at 0.17 of a bare
 * read+parse loop). ajv compiles each schema to straight-line JS. It checks every structural rule
 * (types, required fields, bounds, patterns, closed objects) but not the string *formats* (the
 * envelope's uuid and date-time): those are checked by zod when the event is written, and a wrong
 * format cannot change the folded state. A record that fails is re-checked with zod, whose
 * message names every issue.
 */
let validators: Map<string, ValidateFunction> | null = null;

export function decodeValidator(type: EventType, v: number): ValidateFunction | undefined {
  validators ??= compileAll();
  return validators.get(`${type}@${v}`);
}

function compileAll(): Map<string, ValidateFunction> {
  const ajv = new Ajv2020({ strict: true, validateFormats: false, allErrors: false });
  const compiled = new Map<string, ValidateFunction>();
  for (const { type, v } of catalogueVersions()) {
    compiled.set(`${type}@${v}`, ajv.compile(eventJsonSchema(type, v)));
  }
  return compiled;
}
