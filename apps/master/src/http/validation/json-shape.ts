/**
 * Shape checks for one JSON value: the parse layer of Marathon's validation (notes §2.3), where
 * the RAML-generated play-json readers reject wrong types, bounds, lengths, patterns and enum
 * literals. Errors use play-json's keys because that is what Marathon returns and what Marathon
 * clients map to texts (the DC/OS UI maps `error.expected.jsnumber` to "A number is expected").
 *
 * A check returns every error it finds, each located relative to the checked value: `at` is ''
 * for the value itself, `(2)` for an array element, `/name` for an object member, and chains
 * (`(0)(1)`, `/FOO/secret`), exactly as Marathon renders paths.
 */
export const JsonError = {
  missing: 'error.path.missing',
  number: 'error.expected.jsnumber',
  int: 'error.expected.int',
  string: 'error.expected.jsstring',
  boolean: 'error.expected.jsboolean',
  array: 'error.expected.jsarray',
  object: 'error.expected.jsobject',
  min: 'error.min',
  max: 'error.max',
  minLength: 'error.minLength',
  maxLength: 'error.maxLength',
  pattern: 'error.pattern',
  enumLiteral: 'error.unknown.enum.literal',
  dateTime: 'error.expected.date.isoformat',
} as const;

export interface Located {
  /** Path suffix relative to the checked value: '', '(i)', '/key', or a chain of those. */
  readonly at: string;
  readonly error: string;
}

/**
 * An OpenAPI 3.0 schema object (the subset of JSON Schema OpenAPI 3.0 takes): what a shape check
 * accepts, as the served document (/openapi.json) describes it.
 */
export type JsonSchema = { readonly [key: string]: unknown };

/**
 * Checks a present value (the caller handles `undefined`, i.e. an absent field), and says what it
 * accepts as a schema: the document and the validation are one definition, so a body is validated
 * as documented.
 */
export type ShapeCheck = ((value: unknown) => Located[]) & { readonly schema: JsonSchema };

/** A check together with the schema of what it accepts. */
export function shapeCheck(schema: JsonSchema, check: (value: unknown) => Located[]): ShapeCheck {
  return Object.assign(check, { schema });
}

// play-json reads Int fields as a JVM Int: a number outside it is `error.expected.int`.
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

// RAML `datetime` (RFC 3339), what play-json's OffsetDateTime reader accepts.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

const ok: Located[] = [];
const here = (error: string): Located[] => [{ at: '', error }];

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface Bounds {
  readonly min?: number;
  readonly max?: number;
}

function bounded(value: number, { min, max }: Bounds): Located[] {
  if (min !== undefined && value < min) return here(JsonError.min);
  if (max !== undefined && value > max) return here(JsonError.max);
  return ok;
}

function boundsSchema({ min, max }: Bounds): JsonSchema {
  return { ...(min !== undefined ? { minimum: min } : {}), ...(max !== undefined ? { maximum: max } : {}) };
}

export function jsonNumber(bounds: Bounds = {}): ShapeCheck {
  return shapeCheck({ type: 'number', ...boundsSchema(bounds) }, (value) =>
    typeof value === 'number' && Number.isFinite(value) ? bounded(value, bounds) : here(JsonError.number),
  );
}

export function jsonInt(bounds: Bounds = {}): ShapeCheck {
  const schema = {
    type: 'integer',
    format: 'int32',
    ...boundsSchema({
      min: Math.max(bounds.min ?? INT32_MIN, INT32_MIN),
      max: Math.min(bounds.max ?? INT32_MAX, INT32_MAX),
    }),
  };
  return shapeCheck(schema, (value) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) return here(JsonError.number);
    if (!Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) return here(JsonError.int);
    return bounded(value, bounds);
  });
}

/** RAML `AnyPort`: an int in 0..65535. */
export const jsonPort: ShapeCheck = jsonInt({ min: 0, max: 65535 });

export interface StringRules {
  readonly minLength?: number;
  readonly maxLength?: number;
  /** Must match the whole string (play-json uses Scala's `unapplySeq`, a full match). */
  readonly pattern?: RegExp;
}

export function jsonString(rules: StringRules = {}): ShapeCheck {
  const schema = {
    type: 'string',
    ...(rules.minLength !== undefined ? { minLength: rules.minLength } : {}),
    ...(rules.maxLength !== undefined ? { maxLength: rules.maxLength } : {}),
    ...(rules.pattern !== undefined ? { pattern: rules.pattern.source } : {}),
  };
  return shapeCheck(schema, (value) => {
    if (typeof value !== 'string') return here(JsonError.string);
    if (rules.minLength !== undefined && value.length < rules.minLength) return here(JsonError.minLength);
    if (rules.maxLength !== undefined && value.length > rules.maxLength) return here(JsonError.maxLength);
    if (rules.pattern !== undefined && !rules.pattern.test(value)) return here(JsonError.pattern);
    return ok;
  });
}

export const jsonBoolean: ShapeCheck = shapeCheck({ type: 'boolean' }, (value) =>
  typeof value === 'boolean' ? ok : here(JsonError.boolean),
);

/** A RAML enum. Literals are matched exactly (Marathon's reader ignores case; see README.md). */
export function jsonEnum(literals: readonly string[]): ShapeCheck {
  return shapeCheck({ type: 'string', enum: [...literals] }, (value) => {
    if (typeof value !== 'string') return here(JsonError.string);
    return literals.includes(value) ? ok : here(JsonError.enumLiteral);
  });
}

export const jsonDateTime: ShapeCheck = shapeCheck({ type: 'string', format: 'date-time' }, (value) => {
  if (typeof value !== 'string') return here(JsonError.string);
  return DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)) ? ok : here(JsonError.dateTime);
});

export const jsonObject: ShapeCheck = shapeCheck({ type: 'object' }, (value) =>
  isPlainObject(value) ? ok : here(JsonError.object),
);

/** One of several shapes, told apart by the caller's `pick` (which check judges this value). */
export function jsonOneOf(checks: readonly ShapeCheck[], pick: (value: unknown) => ShapeCheck): ShapeCheck {
  return shapeCheck({ oneOf: checks.map((check) => check.schema) }, (value) => pick(value)(value));
}

export interface ArrayRules {
  /** RAML `minItems`, which the generated readers report as play-json's `error.minLength`. */
  readonly minItems?: number;
}

export function jsonArrayOf(element: ShapeCheck, rules: ArrayRules = {}): ShapeCheck {
  const schema = {
    type: 'array',
    items: element.schema,
    ...(rules.minItems !== undefined ? { minItems: rules.minItems } : {}),
  };
  return shapeCheck(schema, (value) => {
    if (!Array.isArray(value)) return here(JsonError.array);
    if (rules.minItems !== undefined && value.length < rules.minItems) return here(JsonError.minLength);
    return value.flatMap((item, index) => within(`(${index})`, element(item)));
  });
}

/** A JSON object used as a map (env, labels, secrets): every member value is checked. */
export function jsonMapOf(member: ShapeCheck): ShapeCheck {
  return shapeCheck({ type: 'object', additionalProperties: member.schema }, (value) => {
    if (!isPlainObject(value)) return here(JsonError.object);
    return Object.entries(value).flatMap(([key, item]) => within(`/${key}`, member(item)));
  });
}

export interface FieldRule {
  readonly check: ShapeCheck;
  readonly required?: boolean;
}

/**
 * A small inline object (a map's member, a sub-object too small for its own DTO). Unknown
 * members are allowed, like everywhere in an app body.
 */
export function jsonObjectWith(fields: Readonly<Record<string, FieldRule>>): ShapeCheck {
  const required = Object.entries(fields).flatMap(([name, rule]) => (rule.required ? [name] : []));
  const schema = {
    type: 'object',
    properties: Object.fromEntries(Object.entries(fields).map(([name, rule]) => [name, rule.check.schema])),
    ...(required.length > 0 ? { required } : {}),
  };
  return shapeCheck(schema, (value) => {
    if (!isPlainObject(value)) return here(JsonError.object);
    return Object.entries(fields).flatMap(([name, rule]) => within(`/${name}`, checkField(value[name], rule)));
  });
}

/** Runs a field rule on a possibly absent value. */
export function checkField(value: unknown, { check, required = false }: FieldRule): Located[] {
  if (value === undefined) return required ? here(JsonError.missing) : ok;
  return check(value);
}

function within(prefix: string, errors: Located[]): Located[] {
  return errors.map((e) => ({ at: prefix + e.at, error: e.error }));
}
