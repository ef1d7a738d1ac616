import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { catalogue, EventType, eventTypes, isEventType } from '../catalogue';
import { EVENT_DOCS } from './event-docs';
import { catalogueVersions, eventZodSchema, schemaId } from './event-json-schema';

/**
 * docs/events.md is the integration contract: every type and every version of the catalogue has
 * a section there with its cause (who writes it: the actor; what: its causationId) and an example
 * record that its own schema accepts. This holds the page to the code.
 */
const REPO_ROOT = join(__dirname, '..', '..', '..', '..');
const PAGE = readFileSync(join(REPO_ROOT, 'docs', 'events.md'), 'utf8');
const SCHEMA_DIR = join(REPO_ROOT, 'docs', 'events');

interface TypeSection {
  readonly type: string;
  /** The first paragraph: "Current version N. Key `k`. Actor …". */
  readonly headLine: string;
  readonly body: string;
  readonly examples: Record<string, unknown>[];
}

/** Each `#### \`Type\`` section, up to the next heading of level 1 to 4. */
function typeSections(page: string): TypeSection[] {
  const sections: TypeSection[] = [];
  for (const chunk of page.split(/^(?=#{1,4} )/m)) {
    const heading = /^#### `(\w+)`\n/.exec(chunk);
    if (!heading) continue;
    const body = chunk.slice(heading[0].length);
    const headLine = body
      .trim()
      .split(/\n\s*\n/)[0]
      .replace(/\s+/g, ' ');
    const examples = [...body.matchAll(/```json\n([\s\S]*?)\n```/g)].map(
      (block) => JSON.parse(block[1]) as Record<string, unknown>,
    );
    sections.push({ type: heading[1], headLine, body, examples });
  }
  return sections;
}

const sections = typeSections(PAGE);
const sectionOf = (type: EventType) => sections.find((s) => s.type === type);

const ajv = addFormats(new Ajv2020({ strict: true, allErrors: true }));
for (const name of readdirSync(SCHEMA_DIR).filter((n) => n.endsWith('.schema.json'))) {
  ajv.addSchema(JSON.parse(readFileSync(join(SCHEMA_DIR, name), 'utf8')));
}

describe('docs/events.md against the catalogue', () => {
  it('has one section per event type, and none for a type the catalogue does not have', () => {
    expect(sections.map((s) => s.type).sort()).toEqual([...eventTypes].sort());
  });

  it.each(eventTypes)('%s: the section opens with its current version, its key and its actor', (type) => {
    const section = sectionOf(type);
    expect(section).toBeDefined();
    const head = /^Current version (\d+)\. Key `([^`]+)`[^.]*\.(.*)$/.exec(section!.headLine);
    expect({ type, head: section!.headLine, parsed: head !== null }).toEqual({
      type,
      head: section!.headLine,
      parsed: true,
    });
    const key = EVENT_DOCS[type].key;
    expect({ type, current: Number(head![1]), key: head![2] }).toEqual({
      type,
      current: catalogue[type].current,
      key: 'path' in key ? key.path : key.constant,
    });
    // Who causes it: the actor it is written with (in the head line, or as "Actor: …" after it).
    expect({ type, namesActor: /\bActor\b/.test(head![3]) }).toEqual({ type, namesActor: true });
  });

  it.each(eventTypes)('%s: the section says what causes it (its causationId)', (type) => {
    expect({ type, namesCause: /`causationId`/.test(sectionOf(type)?.body ?? '') }).toEqual({
      type,
      namesCause: true,
    });
  });

  it.each(catalogueVersions().map(({ type, v }) => [`${type} v${v}`, type, v] as const))(
    '%s: has an example in its section',
    (_, type, v) => {
      const examples = (sectionOf(type)?.examples ?? []).filter((e) => e.type === type && e.v === v);
      expect({ type, v, examples: examples.length > 0 }).toEqual({ type, v, examples: true });
    },
  );

  it('every example is a record of its section type that its version schema accepts (zod and the JSON Schema)', () => {
    const problems: string[] = [];
    for (const section of sections) {
      for (const example of section.examples) {
        const { type, v } = example as { type: unknown; v: unknown };
        const where = `${section.type} section, example ${String(type)} v${String(v)}`;
        if (type !== section.type) {
          problems.push(`${where}: an example of another type`);
          continue;
        }
        if (!isEventType(section.type) || typeof v !== 'number' || !(v in catalogue[section.type].versions)) {
          problems.push(`${where}: no such version in the catalogue`);
          continue;
        }
        const zod = eventZodSchema(section.type, v).safeParse(example);
        if (!zod.success) problems.push(`${where}: zod says ${JSON.stringify(zod.error.issues)}`);
        const validate = ajv.getSchema(schemaId(section.type, v))!;
        if (!validate(example)) problems.push(`${where}: the JSON Schema says ${ajv.errorsText(validate.errors)}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('states the number of types and schemas the catalogue has', () => {
    const types = /Cairn writes (\d+) event types/.exec(PAGE);
    const schemas = /holds (\d+) schemas/.exec(PAGE);
    expect({ types: Number(types?.[1]), schemas: Number(schemas?.[1]) }).toEqual({
      types: eventTypes.length,
      schemas: catalogueVersions().length,
    });
  });
});
