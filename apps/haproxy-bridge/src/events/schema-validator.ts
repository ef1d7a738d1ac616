import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CairnEvent, FOLDED_VERSIONS } from './cairn-events';

/** What to do with one record of the topic. */
export type Verdict =
  | { readonly action: 'fold'; readonly event: CairnEvent }
  | { readonly action: 'ignore' }
  /** The bridge cannot go on without guessing: it stops applying events (docs/events.md, Versioning). */
  | { readonly action: 'halt'; readonly reason: string };

/**
 * Checks records against the published JSON Schemas (docs/events/*.schema.json, draft 2020-12,
 * `$id` urn:cairn:event:<Type>:v<n>), as docs/events.md tells an integrator to.
 */
export class SchemaValidator {
  private readonly ajv = addFormats(new Ajv2020({ allErrors: true, strict: false }));

  constructor(schemaDir: string) {
    const files = readdirSync(schemaDir).filter((file) => file.endsWith('.schema.json'));
    if (files.length === 0) throw new Error(`no *.schema.json in ${schemaDir}`);
    for (const file of files) this.ajv.addSchema(JSON.parse(readFileSync(join(schemaDir, file), 'utf8')));
  }

  /** Types the fold does not read are ignored unchecked; a type it reads must match its schema. */
  check(value: string): Verdict {
    let event: CairnEvent;
    try {
      event = JSON.parse(value) as CairnEvent;
    } catch (error) {
      return { action: 'halt', reason: `a record is not JSON: ${(error as Error).message}` };
    }
    const known = FOLDED_VERSIONS[event?.type];
    if (!known) return { action: 'ignore' };
    if (!known.includes(event.v)) {
      return { action: 'halt', reason: `${event.type} v${event.v} is a version this bridge does not read: upgrade it` };
    }
    const validate = this.ajv.getSchema(`urn:cairn:event:${event.type}:v${event.v}`);
    if (!validate) return { action: 'halt', reason: `no published schema for ${event.type} v${event.v}` };
    if (!validate(event)) {
      return {
        action: 'halt',
        reason: `${event.type} v${event.v} ${event.id}: ${this.ajv.errorsText(validate.errors)}`,
      };
    }
    return { action: 'fold', event };
  }
}

/** docs/events of the checkout this file runs from (source or dist/), found by walking up. */
export function defaultSchemaDir(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'docs', 'events');
    if (existsSync(join(candidate, 'index.json'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`no docs/events above ${from}: pass --schemas <dir>`);
  }
}
