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
 * envelope's uuid and date-time): those are checked when the event is written (by zod, or by the
 * write path's compiled check with zod's own patterns, encode-check.ts), and a wrong format cannot
 * change the folded state (zod renders each format also as a `pattern`, which is dropped here with
 * it). A record that fails is re-checked with zod, whose message names every issue.
 */
let validators: Map<string, ValidateFunction[]> | null = null;

export function decodeValidator(type: EventType, v: number): ValidateFunction | undefined {
  validators ??= compileAll();
  // Type, then version index: no string built per event on the replay path.
  return validators.get(type)?.[v];
}

/**
 * Compiles every validator now rather than on the first decode: about 0.35 s of synchronous work
 * on an idle 2-core machine (over a second when loaded), which a master must spend at start-up,
 * before it campaigns or serves, not in the middle of a request (the stall budget,
 * docs/operations.md). Idempotent.
 */
export function prepareDecodeValidators(): void {
  validators ??= compileAll();
}

function compileAll(): Map<string, ValidateFunction[]> {
  const ajv = new Ajv2020({ strict: true, validateFormats: false, allErrors: false });
  const compiled = new Map<string, ValidateFunction[]>();
  for (const { type, v } of catalogueVersions()) {
    const byVersion = compiled.get(type) ?? [];
    byVersion[v] = ajv.compile(withoutFormatPatterns(eventJsonSchema(type, v)));
    compiled.set(type, byVersion);
  }
  return compiled;
}

/** A copy without the `pattern` that zod adds next to every `format` (the format is checked on write). */
function withoutFormatPatterns(schema: unknown): Record<string, unknown> {
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strip);
    if (!node || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === 'pattern' && 'format' in node) continue;
      out[key] = strip(value);
    }
    return out;
  };
  return strip(schema) as Record<string, unknown>;
}
