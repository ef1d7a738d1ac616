import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import { catalogue, EventType } from './catalogue';
import { eventJsonSchema } from './schema/event-json-schema';

/**
 * The write path's fast check: whether zod would accept an event, and what its parse would give
 * back (the same JSON text), so the encoder need not run zod on what it will accept. zod stays the
 * rule: anything this check does not vouch for goes through zod, which accepts, strips or refuses
 * it exactly as before (and names every issue). codec-encode-paths.spec.ts holds both paths to the
 * same records and the same refusals.
 *
 * Two parts, both from the JSON Schema generated from the zod catalogue (the one decode uses):
 * - acceptance: ajv, compiled with zod's semantics where JSON Schema's differ: the `pattern` zod
 *   renders beside each string format is kept (it is zod's own regex for the envelope's uuid and
 *   date-time, AppScaled's lastScalingAt) and patterns run without the `u` flag, as zod's regexes
 *   do; lengths count code points in both (a lone surrogate as one). Closed objects refuse an
 *   unknown field (zod would strip it: the slow path then writes zod's output), and a missing
 *   field refuses too.
 * - zod's output: zod builds each object anew, its schema's fields first in the schema's order,
 *   then (for a loose object) the others in the order they came; records and arrays keep their
 *   order. `asZod` gives the value itself when it already has that order (an app read from the
 *   log), else a copy in that order (an app decide has just filled with defaults), for plain
 *   objects only (no class instance, no toJSON, no own `__proto__`, which zod drops and
 *   JSON.stringify writes).
 * - and that output is already what a reader decodes from the record (JSON.parse of its text):
 *   no member set to undefined (a copy leaves it out), no -0 (JSON writes 0), objects with
 *   Object.prototype (a null-prototype object is copied), and only JSON values (no Date, no NaN)
 *   where the schema allows anything (an app's extra fields). So the encoder need not parse the
 *   text it wrote to hand the caller what a replay will hold.
 *
 * Why: zod's parse was 11% of a command's CPU in the sequencer (issue 12); ajv's check and the
 * walk cost a small part of that. The parse back cost about 3% of a launch's CPU.
 */
export interface EncodeCheck {
  readonly accepts: ValidateFunction;
  /** For a value `accepts` took: zod's output (the value itself when the same), or NOT_VOUCHED. */
  readonly asZod: AsZod;
}

/** The walk cannot say what zod gives back: the caller asks zod. */
export const NOT_VOUCHED: unique symbol = Symbol('not vouched');

let ajv: Ajv2020 | null = null;
const checks = new Map<EventType, EncodeCheck>();

/** The check of `type` at its current version, compiled when first asked for (a few ms). */
export function encodeCheck(type: EventType): EncodeCheck {
  let check = checks.get(type);
  if (!check) {
    ajv ??= new Ajv2020({ strict: true, validateFormats: false, unicodeRegExp: false });
    const schema = eventJsonSchema(type, catalogue[type].current);
    check = { accepts: ajv.compile(schema), asZod: asZodBy(schema, ajv) };
    checks.set(type, check);
  }
  return check;
}

/**
 * Compiles every type's check ahead of its first write, one type per turn of the event loop
 * (10-40 ms each, about half a second in all): a Kafka master runs it in the background from its
 * start, so no write holds its event loop compiling. Idempotent.
 */
export async function prepareEncodeChecks(): Promise<void> {
  for (const type of Object.keys(catalogue) as EventType[]) {
    encodeCheck(type);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

type Schema = Record<string, unknown>;
type AsZod = (value: unknown) => unknown;

/** Strings, booleans, enums and literals: zod and JSON.parse give them back as they are. */
const SAME: AsZod = (value) => value;
/** A number the schema accepted (so finite): as it is, but for -0, which JSON.parse reads as 0. */
const NUMBER: AsZod = (value) => (Object.is(value, -0) ? NOT_VOUCHED : value);
/** An unknown (`{}`, an app's extra fields): zod passes anything; vouched for only if JSON reads it back the same. */
const JSON_VALUE: AsZod = (value) => (isJsonValue(value) ? value : NOT_VOUCHED);
/** For a schema this walk does not understand: the event goes through zod (correct, only slower). */
const NEVER: AsZod = () => NOT_VOUCHED;

/** Keywords that shape what zod gives back, beyond those handled below. */
const UNHANDLED = ['allOf', 'oneOf', 'not', 'if', '$ref', 'patternProperties', 'unevaluatedProperties'];

function asZodBy(schema: Schema, validator: Ajv2020): AsZod {
  if (UNHANDLED.some((keyword) => keyword in schema)) return NEVER;
  if (Array.isArray(schema.anyOf)) return unionAsZod(schema.anyOf as Schema[], validator);
  if (schema.type === 'object') {
    return schema.properties
      ? objectAsZod(schema, validator)
      : recordAsZod(childOf(schema.additionalProperties, validator));
  }
  if (schema.type === 'array') return arrayAsZod(schema, validator);
  const types = typesOf(schema);
  if (types === null) return 'const' in schema || 'enum' in schema ? SAME : JSON_VALUE;
  return types.has('number') ? NUMBER : SAME;
}

/**
 * What zod gives back under `items` or `additionalProperties`: `false` admits nothing (ajv refused
 * it before any walk); absent or `true` admits anything.
 */
function childOf(schema: unknown, validator: Ajv2020): AsZod {
  if (schema === false) return SAME;
  return schema && typeof schema === 'object' ? asZodBy(schema as Schema, validator) : JSON_VALUE;
}

/** A value JSON.parse(JSON.stringify(value)) gives back unchanged: the encoder hands it on as read. */
function isJsonValue(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object':
      if (value === null) return true;
      if (isPlainArray(value)) {
        for (let i = 0; i < value.length; i++) if (!isJsonValue(value[i])) return false; // a hole is undefined
        return true;
      }
      if (!isPlainObject(value) || Object.getPrototypeOf(value) === null) return false;
      for (const key of Object.keys(value)) if (!isJsonValue(value[key])) return false;
      return true;
    default:
      return false;
  }
}

/** An object zod writes as JSON.stringify does: nothing either would see differently. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  return !('toJSON' in value) && !Object.prototype.hasOwnProperty.call(value, '__proto__');
}

/** z.object / z.looseObject: the schema's fields in its order, then (loose) the others as they came. */
function objectAsZod(schema: Schema, validator: Ajv2020): AsZod {
  const properties = schema.properties as Record<string, Schema>;
  const names = Object.keys(properties);
  const position = new Map(names.map((key, i) => [key, i]));
  const fields = names.map((name) => asZodBy(properties[name], validator));
  const other = childOf(schema.additionalProperties, validator);
  return (value) => {
    if (!isPlainObject(value)) return NOT_VOUCHED;
    let last = -1;
    let othersBegun = false;
    // A null-prototype object is copied: a reader's (JSON.parse's) has Object.prototype.
    let inOrder = Object.getPrototypeOf(value) === Object.prototype;
    // The fields zod gives back otherwise than they are, found once: each walk is recursive.
    let changed: Record<string, unknown> | null = null;
    for (const key of Object.keys(value)) {
      const field = value[key];
      if (field === undefined) {
        inOrder = false; // JSON.stringify leaves it out, wherever zod puts it: so does the copy
        continue;
      }
      const at = position.get(key);
      const given = (at === undefined ? other : fields[at])(field);
      if (given === NOT_VOUCHED) return NOT_VOUCHED;
      if (given !== field) (changed ??= Object.create(null) as Record<string, unknown>)[key] = given;
      if (at === undefined) othersBegun = true;
      else if (othersBegun || at < last) inOrder = false;
      else last = at;
    }
    if (inOrder && !changed) return value;
    // Rare on the hot path (a definition decide has just built): a copy in zod's order.
    const copy: Record<string, unknown> = {};
    const put = (key: string) => {
      if (value[key] !== undefined) copy[key] = changed && key in changed ? changed[key] : value[key];
    };
    for (const name of names) if (Object.prototype.hasOwnProperty.call(value, name)) put(name);
    for (const key of Object.keys(value)) if (!position.has(key)) put(key);
    return copy;
  };
}

/** z.record: keys in the order they came. */
function recordAsZod(values: AsZod): AsZod {
  return (value) => {
    if (!isPlainObject(value)) return NOT_VOUCHED;
    // As in objectAsZod: a reader's copy has Object.prototype and no member set to undefined.
    let copy: Record<string, unknown> | null = Object.getPrototypeOf(value) === null ? {} : null;
    for (const key of Object.keys(value)) {
      const field = value[key];
      if (field === undefined) {
        copy ??= Object.assign({}, value);
        delete copy[key];
        continue;
      }
      const given = values(field);
      if (given === NOT_VOUCHED) return NOT_VOUCHED;
      if (given !== field) copy ??= Object.assign({}, value);
      if (copy) copy[key] = given;
    }
    return copy ?? value;
  };
}

/**
 * An array zod and JSON.stringify both read by its items alone, with nothing else a reader's copy
 * would lack: no member but its items (events' arrays are short, so counting keys is cheap).
 */
function isPlainArray(value: unknown): value is unknown[] {
  return (
    Array.isArray(value) &&
    Object.getPrototypeOf(value) === Array.prototype &&
    !('toJSON' in value) &&
    Object.keys(value).length === value.length
  );
}

function arrayAsZod(schema: Schema, validator: Ajv2020): AsZod {
  const prefix = ((schema.prefixItems as Schema[] | undefined) ?? []).map((item) => asZodBy(item, validator));
  const items = childOf(schema.items, validator);
  const itemsSame = items === SAME && prefix.every((p) => p === SAME);
  return (value) => {
    if (!isPlainArray(value)) return NOT_VOUCHED;
    if (itemsSame) return value;
    let copy: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const given = (prefix[i] ?? items)(value[i]);
      if (given === NOT_VOUCHED) return NOT_VOUCHED;
      if (given !== value[i]) copy ??= value.slice();
      if (copy) copy[i] = given;
    }
    return copy ?? value;
  };
}

/**
 * z.union (and nullable): zod gives back the first branch that accepts the value. The branch is
 * found by the value's JSON type when only one branch has it (a nullable's), else by ajv.
 */
function unionAsZod(branches: Schema[], validator: Ajv2020): AsZod {
  const walked = branches.map((schema) => ({
    schema,
    types: typesOf(schema),
    asZod: asZodBy(schema, validator),
    accepts: null as ValidateFunction | null,
  }));
  if (walked.every((branch) => branch.asZod === SAME)) return SAME;
  return (value) => {
    const type = jsonTypeOf(value);
    const candidates = walked.filter((branch) => branch.types === null || branch.types.has(type));
    if (candidates.length === 1) return candidates[0].asZod(value);
    for (const branch of candidates) {
      branch.accepts ??= validator.compile(branch.schema);
      if (branch.accepts(value)) return branch.asZod(value);
    }
    return NOT_VOUCHED;
  };
}

/** The JSON types a schema allows (`integer` is a `number` here), or null when it does not say. */
function typesOf(schema: Schema): ReadonlySet<string> | null {
  if (schema.type === undefined) return null;
  const types = (Array.isArray(schema.type) ? schema.type : [schema.type]) as string[];
  return new Set(types.map((type) => (type === 'integer' ? 'number' : type)));
}

function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
