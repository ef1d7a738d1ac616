import { z } from 'zod';
import { catalogue, EventType } from '../catalogue';
import { envelopeSchema } from '../envelope';
import { EVENT_DOCS } from './event-docs';

/**
 * JSON Schema draft 2020-12 (zod's default target): `$schema` says so, and validators need its
 * dialect (ajv: `ajv/dist/2020`). Objects declared with `z.object` render with
 * `additionalProperties: false`, because the writer strips unknown keys there; the app
 * definition is a `z.looseObject` and renders with `additionalProperties: {}`, because Marathon
 * clients send fields Cairn keeps without acting on them.
 */
export const JSON_SCHEMA_TARGET = 'draft-2020-12';
export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

/** The envelope fields, described once for every generated schema (mirrors envelope.ts). */
const ENVELOPE_DESCRIPTIONS: Record<keyof typeof envelopeSchema.shape, string> = {
  id: 'UUID of this event, unique in the log; a consumer can de-duplicate by it.',
  type: 'Permanent event type name (past tense). Never renamed, never reused.',
  v: 'Schema version of `data` for this type. A new shape is a new version.',
  at: 'When the leader decided the event (ISO-8601 with offset), from its clock.',
  actor: 'Who caused it: a user or token name, an agent id, or `system`.',
  correlationId: 'The user command that started the chain of events.',
  causationId: 'The command or event that directly caused this one; null for the first of a chain.',
  data: 'The payload, checked by this type and version.',
};

/** The formats JSON Schema 2020-12 defines; validators reject or ignore any other. */
const STANDARD_FORMATS = new Set(
  (
    'date-time date time duration email idn-email hostname idn-hostname ipv4 ipv6 uri uri-reference iri ' +
    'iri-reference uuid uri-template json-pointer relative-json-pointer regex'
  ).split(' '),
);

export function schemaFileName(type: EventType, v: number): string {
  return `${type}.v${v}.schema.json`;
}

/** The `$id` of a generated schema: a URN, so it names the schema without promising a URL. */
export function schemaId(type: EventType, v: number): string {
  return `urn:cairn:event:${type}:v${v}`;
}

/** Every (type, version) the catalogue knows, current and older, in catalogue order. */
export function catalogueVersions(): { type: EventType; v: number; current: boolean }[] {
  return (Object.keys(catalogue) as EventType[]).flatMap((type) =>
    Object.keys(catalogue[type].versions)
      .map(Number)
      .sort((a, b) => a - b)
      .map((v) => ({ type, v, current: v === catalogue[type].current })),
  );
}

/** The whole envelope of one event type at one version, as zod: the source of its JSON Schema. */
export function eventZodSchema(type: EventType, v: number) {
  const data = (catalogue[type].versions as Record<number, z.ZodType | undefined>)[v];
  if (!data) throw new Error(`${type} has no schema for v${v}`);
  return envelopeSchema.extend({ type: z.literal(type), v: z.literal(v), data });
}

/** The whole envelope of one event type at one version, as a JSON Schema object. */
export function eventJsonSchema(type: EventType, v: number): Record<string, unknown> {
  const generated = z.toJSONSchema(eventZodSchema(type, v), {
    target: JSON_SCHEMA_TARGET,
    io: 'output',
    unrepresentable: 'throw',
    reused: 'inline',
    override: ({ jsonSchema }) => dropNonStandardFormat(jsonSchema as Record<string, unknown>),
  }) as Record<string, unknown>;
  const properties = generated.properties as Record<string, Record<string, unknown>>;
  for (const [field, description] of Object.entries(ENVELOPE_DESCRIPTIONS)) {
    if (properties[field]) properties[field] = { description, ...properties[field] };
  }
  const { $schema, ...rest } = generated;
  const current = catalogue[type].current;
  const older = v === current ? '' : ` v${v} is an older shape: Cairn upcasts it to v${current} when it reads it.`;
  return {
    $schema,
    $id: schemaId(type, v),
    title: `${type} v${v}`,
    description: EVENT_DOCS[type].meaning + older,
    ...rest,
  };
}

/**
 * zod names some string checks as formats JSON Schema does not define (`.startsWith('/')` gives
 * `format: "starts_with"` next to `pattern: "^\\/.*"`). The pattern carries the rule; the
 * made-up format would only make strict validators (ajv) refuse the schema.
 */
function dropNonStandardFormat(json: Record<string, unknown>): void {
  if (typeof json.format === 'string' && !STANDARD_FORMATS.has(json.format)) delete json.format;
}
