import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { catalogue, eventTypes } from '../catalogue';
import { isGenerated, INDEX_FILE, REGENERATE_HINT, renderJsonSchemas } from './generate-json-schemas';
import { schemaFileName } from './event-json-schema';

const REPO_ROOT = join(__dirname, '..', '..', '..', '..');
const SCHEMA_DIR = join(REPO_ROOT, 'docs', 'events');

describe('the JSON Schemas in docs/events', () => {
  const rendered = renderJsonSchemas();

  it('match the zod catalogue (the committed files are what integrators get)', () => {
    const committed = existsSync(SCHEMA_DIR) ? readdirSync(SCHEMA_DIR).filter(isGenerated) : [];
    const drift = [
      ...Object.keys(rendered)
        .filter((name) => !committed.includes(name))
        .map((name) => `docs/events/${name} is missing`),
      ...committed.filter((name) => !(name in rendered)).map((name) => `docs/events/${name} is no longer generated`),
      ...committed
        .filter((name) => name in rendered && readFileSync(join(SCHEMA_DIR, name), 'utf8') !== rendered[name])
        .map((name) => `docs/events/${name} differs from the code`),
    ].map((problem) => `${problem}: ${REGENERATE_HINT}`);
    expect(drift).toEqual([]);
  });

  it('render the same bytes every time, as 2-space JSON with a trailing newline', () => {
    expect(renderJsonSchemas()).toEqual(rendered);
    for (const [name, content] of Object.entries(rendered)) {
      expect({ name, endsWithNewline: content.endsWith('}\n') }).toEqual({ name, endsWithNewline: true });
      expect(content).toBe(`${JSON.stringify(JSON.parse(content), null, 2)}\n`);
    }
  });

  it('have one schema per type and version, and an index that marks the current one', () => {
    const index = JSON.parse(rendered[INDEX_FILE]) as { events: { type: string; v: number; current: boolean }[] };
    const expected = eventTypes.flatMap((type) =>
      Object.keys(catalogue[type].versions).map((v) => ({
        type,
        v: Number(v),
        current: Number(v) === catalogue[type].current,
      })),
    );
    expect(index.events.map(({ type, v, current }) => ({ type, v, current }))).toEqual(expected);
    for (const { type, v } of expected) expect(Object.keys(rendered)).toContain(schemaFileName(type, v));
  });

  it('compile in ajv strict mode as draft 2020-12', () => {
    const ajv = addFormats(new Ajv2020({ strict: true, strictTypes: true, allErrors: true }));
    for (const [name, content] of Object.entries(rendered)) {
      if (name === INDEX_FILE) continue;
      const schema = JSON.parse(content) as { $schema: string };
      expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(() => ajv.compile(schema)).not.toThrow();
    }
  });

  it('close the envelope and z.object payloads but keep the app definition open to unknown fields', () => {
    const created = JSON.parse(rendered[schemaFileName('AppCreated', 1)]);
    expect(created.additionalProperties).toBe(false);
    expect(created.properties.data.additionalProperties).toBe(false);
    expect(created.properties.data.properties.app.additionalProperties).toEqual({});
    expect(created.properties.data.properties.app.properties.portDefinitions.items.additionalProperties).toEqual({});
    expect(created.properties.data.properties.app.properties.upgradeStrategy.additionalProperties).toBe(false);
  });
});
