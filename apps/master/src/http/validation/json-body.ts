import { isPlainObject, JsonError } from './json-shape';

/**
 * Guards run before any DTO work on a request body. Fastify hands over `JSON.parse` output,
 * but the validator must never throw whatever it is given: class-transformer recurses into the
 * body, so depth is bounded first, and values JSON cannot express are refused.
 */

/** Far deeper than any AppDefinition (container.volumes[].persistent.constraints[][] is 6 levels). */
export const MAX_BODY_DEPTH = 64;

export const JsonBodyProblems = {
  notAnObject: JsonError.object,
  tooDeep: `JSON nests deeper than ${MAX_BODY_DEPTH} levels`,
  protoKey: 'the key "__proto__" is not allowed',
  notJson: 'not a JSON value (only objects, arrays, strings, finite numbers, booleans and null)',
} as const;

/** Why `body` cannot be an app body at all, or undefined when it is a plain JSON object. */
export function jsonBodyProblem(body: unknown): string | undefined {
  if (!isPlainObject(body)) return JsonBodyProblems.notAnObject;
  const seen = new Set<object>();
  const pending: { value: unknown; depth: number }[] = [{ value: body, depth: 1 }];
  // Iterative, so a hostile depth cannot overflow the stack before the bound is hit.
  while (pending.length > 0) {
    const { value, depth } = pending.pop()!;
    const problem = scalarProblem(value);
    if (problem !== undefined) return problem;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > MAX_BODY_DEPTH) return JsonBodyProblems.tooDeep;
    // JSON.parse never shares an object between two places; a shared or cyclic one is not JSON.
    if (seen.has(value)) return JsonBodyProblems.notJson;
    seen.add(value);
    if (!Array.isArray(value)) {
      if (!isPlainRecord(value)) return JsonBodyProblems.notJson;
      if (Object.prototype.hasOwnProperty.call(value, '__proto__')) return JsonBodyProblems.protoKey;
    }
    for (const child of Object.values(value)) pending.push({ value: child, depth: depth + 1 });
  }
  return undefined;
}

function scalarProblem(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'object':
    case 'undefined': // an absent member, as a JavaScript caller may write it
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : JsonBodyProblems.notJson;
    default:
      return JsonBodyProblems.notJson;
  }
}

/**
 * An object literal: its prototype is null or some realm's Object.prototype (whose own
 * prototype is null). Not a class instance, Map, Date, ... (structuredClone and other realms,
 * such as jest's sandbox, make objects with a different but equivalent Object.prototype).
 */
function isPlainRecord(value: object): boolean {
  const prototype = Object.getPrototypeOf(value) as object | null;
  return prototype === null || Object.getPrototypeOf(prototype) === null;
}
