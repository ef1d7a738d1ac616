import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  consoleConsumeRecords,
  Json,
  loadFixture,
  MasterHandle,
  REPO_ROOT,
  requireKafkaBrokers,
  requireWriteOffset,
  startMaster,
} from '../harness';

jest.setTimeout(180_000);

/** Where the generated JSON Schemas for integrators live: one per type and version, and an index. */
const SCHEMA_DIR = join(REPO_ROOT, 'docs', 'events');

interface IndexEntry {
  readonly type: string;
  readonly v: number;
  readonly schema: string;
  /** Either a constant key or the path in the event whose value is the key. */
  readonly key: { constant?: string; path?: string } | string;
}

function loadIndex(): IndexEntry[] {
  return (JSON.parse(readFileSync(join(SCHEMA_DIR, 'index.json'), 'utf8')) as { events: IndexEntry[] }).events;
}

/** The record key the index documents for this event. */
function documentedKey(entry: IndexEntry, event: Json): unknown {
  const key = typeof entry.key === 'string' ? { path: entry.key } : entry.key;
  if (key.constant !== undefined) return key.constant;
  return key.path!.split('.').reduce((value: Json, field) => value?.[field], event);
}

describe('the events topic read by a client that is not Cairn [kafka]', () => {
  let master: MasterHandle;

  beforeAll(async () => {
    requireKafkaBrokers();
    master = await startMaster({ backend: 'kafka' });
  }, 120_000);

  afterAll(async () => {
    await master?.stop();
  });

  it('holds exactly the events the API reports, each valid against its published JSON Schema, keyed as documented', async () => {
    // Some history of every app event type.
    const writes = [
      await master.http.post('/v2/apps', loadFixture('apps/nested-web.json')),
      await master.http.post('/v2/apps', loadFixture('apps/health-checked.json')),
      await master.http.post('/v2/apps', loadFixture('apps/unknown-fields.json')),
      // No agent: the apps' first deployments still run, so the changes are forced.
      await master.http.put('/v2/apps/prod/web/frontend?force=true', { instances: 7 }),
      await master.http.put('/v2/apps/checks/api?force=true', { mem: 256 }),
      await master.http.delete('/v2/apps/future/app'),
    ];
    for (const res of writes) expect([200, 201]).toContain(res.status);
    const lastOffset = requireWriteOffset(writes[writes.length - 1]);

    const api = await master.http.get('/v1/events?from=0&limit=1000');
    expect(api.status).toBe(200);
    const apiEvents: Json[] = api.body.events;
    expect(apiEvents[apiEvents.length - 1].offset).toBe(lastOffset);
    expect(apiEvents.map((e) => e.type).filter((t) => !t.startsWith('Deployment'))).toEqual([
      'LeaderElected',
      // A brand-new log starts at the newest event format level (docs/operations.md, "Upgrades").
      'ClusterVersionRaised',
      'AppCreated',
      'AppCreated',
      'AppCreated',
      'AppScaled',
      'AppUpdated',
      'AppDeleted',
    ]);
    expect(apiEvents.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        'LeaderElected',
        'AppCreated',
        'AppScaled',
        'AppUpdated',
        'AppDeleted',
        'DeploymentStarted',
        'DeploymentStepFinished',
        'DeploymentFinished',
        'DeploymentCancelled',
      ]),
    );
    expect(apiEvents.filter((e) => e.type.startsWith('Deployment')).length).toBeGreaterThanOrEqual(6);

    const records = await consoleConsumeRecords({
      brokers: requireKafkaBrokers(),
      topic: `${master.cluster}.events`,
      timeoutMs: 15_000,
      maxMessages: apiEvents.length,
    });
    expect(records).toHaveLength(apiEvents.length);

    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    const index = loadIndex();
    const problems: string[] = [];
    records.forEach((record, i) => {
      const event = JSON.parse(record.value);
      const entry = index.find((e) => e.type === event.type && e.v === event.v);
      if (!entry) {
        problems.push(`#${i} ${event.type} v${event.v}: not in docs/events/index.json`);
        return;
      }
      const schema = JSON.parse(readFileSync(join(SCHEMA_DIR, entry.schema), 'utf8'));
      const validate = ajv.getSchema(schema.$id ?? entry.schema) ?? ajv.compile(schema);
      if (!validate(event)) {
        problems.push(`#${i} ${event.type} v${event.v}: ${ajv.errorsText(validate.errors)}`);
      }
      const expectedKey = documentedKey(entry, event);
      if (record.key !== expectedKey) {
        problems.push(
          `#${i} ${event.type}: key ${JSON.stringify(record.key)}, documented ${JSON.stringify(expectedKey)}`,
        );
      }
      // What Kafka holds is what the API serves, minus the offset the API adds.
      const { offset: _offset, ...served } = apiEvents[i];
      if (JSON.stringify(sortKeys(event)) !== JSON.stringify(sortKeys(served))) {
        problems.push(
          `#${i} ${event.type}: Kafka value differs from /v1/events:\n${record.value}\n${JSON.stringify(served)}`,
        );
      }
    });
    expect(problems).toEqual([]);
  });
});

function sortKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys(value[k])]),
  );
}
