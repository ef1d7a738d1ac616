import { mkdirSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EVENT_DOCS } from './event-docs';
import { catalogueVersions, eventJsonSchema, JSON_SCHEMA_DIALECT, schemaFileName } from './event-json-schema';

/**
 * Writes one JSON Schema per event type and version (the whole envelope with that type's
 * `data`) plus `index.json` into docs/events/, for integrators who consume the log from Kafka.
 * The zod catalogue is the source; these files are generated and committed, and
 * json-schemas.spec.ts fails when they drift from it.
 *
 * Usage (after `npm run build`): `npm run events:schemas [-- <out-dir>]`, default docs/events.
 */
export const DEFAULT_SCHEMA_DIR = 'docs/events';
export const INDEX_FILE = 'index.json';
export const REGENERATE_HINT = 'run `npm run build && npm run events:schemas` and commit docs/events/';

/** File name -> content. Pure and stable: 2-space JSON, catalogue order, trailing newline. */
export function renderJsonSchemas(): Record<string, string> {
  const files: Record<string, string> = {};
  const versions = catalogueVersions();
  for (const { type, v } of versions) files[schemaFileName(type, v)] = toJsonFile(eventJsonSchema(type, v));
  files[INDEX_FILE] = toJsonFile({
    $comment: `Generated from libs/events/src/catalogue by \`npm run events:schemas\`; do not edit. See docs/events.md.`,
    jsonSchemaDialect: JSON_SCHEMA_DIALECT,
    events: versions.map(({ type, v, current }) => ({
      type,
      v,
      current,
      ceType: `cairn.${type}.v${v}`,
      key: EVENT_DOCS[type].key,
      meaning: EVENT_DOCS[type].meaning,
      schema: schemaFileName(type, v),
    })),
  });
  return files;
}

/** Writes the rendered files into `dir` and removes generated files the catalogue no longer has. */
export function writeJsonSchemas(dir: string): { written: string[]; removed: string[] } {
  const files = renderJsonSchemas();
  mkdirSync(dir, { recursive: true });
  const removed = readdirSync(dir).filter((name) => isGenerated(name) && !(name in files));
  for (const name of removed) unlinkSync(join(dir, name));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return { written: Object.keys(files), removed };
}

/** The files this generator owns in its directory (anything else there is left alone). */
export function isGenerated(name: string): boolean {
  return name === INDEX_FILE || name.endsWith('.schema.json');
}

function toJsonFile(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

if (require.main === module) {
  const dir = resolve(process.argv[2] ?? DEFAULT_SCHEMA_DIR);
  const { written, removed } = writeJsonSchemas(dir);
  process.stdout.write(
    `wrote ${written.length} files to ${dir}${removed.length ? `, removed ${removed.join(', ')}` : ''}\n`,
  );
}
