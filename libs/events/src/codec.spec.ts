import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppendRecord, LogRecord } from '@cairn/eventlog';
import { AppCreated, AppScaled, appScaledV2, CairnEvent, LeaderElected } from './catalogue';
import { decodeRecord, encodeChecked, encodeEvent, EventValidationError, UnknownEventError } from './codec';
import { EVENT_FORMAT_LEVEL } from './format-level';

const FIXTURE_DIR = join(__dirname, '..', 'test-fixtures');
const fixture = <T>(name: string): T => JSON.parse(readFileSync(join(FIXTURE_DIR, name), 'utf8')) as T;

const appCreated = fixture<AppCreated>('events/app-created.v1.json');
const appScaled = fixture<AppScaled>('events/app-scaled.v2.json');
const leaderElected = fixture<LeaderElected>('events/leader-elected.v1.json');

/** A record as the log would hand it back: the appended bytes at an offset. */
const atOffset = (record: AppendRecord, offset: number): LogRecord => ({ ...record, offset });
const rawRecord = (value: unknown, offset = 7): LogRecord => ({
  key: 'k',
  value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
  offset,
});

/** Runs `fn` and returns what it threw, so a test can check the error's type and context. */
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw, got none');
}

describe('encodeEvent', () => {
  it('writes the event as JSON, keyed by its aggregate id', () => {
    const record = encodeEvent(appCreated);
    expect(record.key).toBe('/prod/web');
    expect(JSON.parse(record.value.toString('utf8'))).toEqual(appCreated);
  });

  it.each([
    ['AppCreated', '/prod/web', appCreated],
    ['AppScaled', '/prod/web', appScaled],
    ['LeaderElected', 'cluster', leaderElected],
  ] as const)('keys %s records by %s', (_, key, event) => {
    expect(encodeEvent(event as CairnEvent).key).toBe(key);
  });

  it('adds CloudEvents binary-mode headers naming type and version', () => {
    expect(encodeEvent(appScaled).headers).toEqual({
      ce_specversion: '1.0',
      ce_id: appScaled.id,
      ce_type: 'cairn.AppScaled.v2',
      ce_source: 'cairn',
      ce_time: appScaled.at,
      'content-type': 'application/json',
    });
  });

  it('refuses an event that fails its schema, so a batch with it yields no record', () => {
    const invalid = { ...appCreated, data: { app: { ...appCreated.data.app, cpus: -1 } } } as AppCreated;
    const appended: AppendRecord[] = [];
    const error = thrownBy(() => appended.push(...[appScaled, invalid].map((e) => encodeEvent(e as CairnEvent))));
    expect(error).toBeInstanceOf(EventValidationError);
    expect((error as EventValidationError).details).toMatchObject({ type: 'AppCreated', v: 1 });
    expect((error as EventValidationError).details.issues).toEqual([
      expect.objectContaining({ path: ['app', 'cpus'] }),
    ]);
    expect(appended).toEqual([]);
  });

  it('encodeChecked also hands back the event exactly as a reader will decode it', () => {
    const { record, event } = encodeChecked(appCreated);
    expect(record).toEqual(encodeEvent(appCreated));
    expect({ ...event, offset: 5 }).toEqual(decodeRecord(atOffset(record, 5)));
  });

  it('refuses an invalid envelope (an id that is not a uuid)', () => {
    expect(() => encodeEvent({ ...appScaled, id: 'nope' })).toThrow(EventValidationError);
  });

  it('refuses to write an old version: writers write the current one only', () => {
    const v1 = { ...appScaled, v: 1, data: { appId: '/prod/web', instances: 4 } } as unknown as CairnEvent;
    expect(() => encodeEvent(v1)).toThrow(/refusing to write AppScaled v1: current is v2/);
  });

  it('refuses an unknown type', () => {
    expect(() => encodeEvent({ ...appScaled, type: 'AppExploded' } as unknown as CairnEvent)).toThrow(
      /unknown event type 'AppExploded'/,
    );
  });
});

describe('decodeRecord', () => {
  it('reads back what encodeEvent wrote, with the offset', () => {
    expect(decodeRecord(atOffset(encodeEvent(appCreated), 42))).toEqual({ ...appCreated, offset: 42 });
  });

  it('refuses a record that is not JSON, naming the offset', () => {
    const error = thrownBy(() => decodeRecord(rawRecord('{"id":', 9)));
    expect(error).toBeInstanceOf(EventValidationError);
    expect((error as EventValidationError).details).toEqual({ offset: 9 });
  });

  it('refuses a record that is not an envelope', () => {
    const { actor: _actor, ...withoutActor } = appScaled;
    expect(() => decodeRecord(rawRecord(withoutActor))).toThrow(/record at offset 7 is not an event envelope/);
  });

  it('refuses data that fails the schema of its version', () => {
    const error = thrownBy(() => decodeRecord(rawRecord({ ...appScaled, data: { ...appScaled.data, instances: -2 } })));
    expect(error).toBeInstanceOf(EventValidationError);
    expect((error as EventValidationError).details).toMatchObject({ type: 'AppScaled', v: 2, offset: 7 });
  });

  it('stops at an unknown type: type names are permanent, so it comes from a newer writer or damage', () => {
    const error = thrownBy(() => decodeRecord(rawRecord({ ...appScaled, type: 'AppTeleported' }, 11)));
    expect(error).toBeInstanceOf(UnknownEventError);
    expect(error).toBeInstanceOf(EventValidationError);
    expect((error as EventValidationError).details).toEqual({ type: 'AppTeleported', v: 2, offset: 11 });
    expect(error).toMatchObject({ type: 'AppTeleported', v: 2, offset: 11, knownVersion: null });
    expect((error as Error).message).toBe(
      `the record at offset 11 is AppTeleported v2, an event type this release does not know (it reads event format level ${EVENT_FORMAT_LEVEL}): ` +
        'the log was written by a newer Cairn. Upgrade this master (docs/operations.md, "Upgrades")',
    );
  });

  it("an unknown type is reported as such even when a newer envelope fails this release's envelope schema", () => {
    const { actor: _actor, ...withoutActor } = appScaled;
    const error = thrownBy(() => decodeRecord(rawRecord({ ...withoutActor, type: 'AppTeleported', extra: 1 }, 5)));
    expect(error).toBeInstanceOf(UnknownEventError);
  });

  it('stops at a version newer than this release knows', () => {
    const error = thrownBy(() => decodeRecord(rawRecord({ ...appCreated, v: 2 }, 12)));
    expect(error).toBeInstanceOf(UnknownEventError);
    expect(error).toMatchObject({
      type: 'AppCreated',
      v: 2,
      offset: 12,
      knownVersion: 1,
      readerLevel: EVENT_FORMAT_LEVEL,
    });
    expect((error as Error).message).toMatch(
      /the record at offset 12 is AppCreated v2, newer than this release reads \(AppCreated up to v1\) \(it reads event format level \d+\)/,
    );
  });

  it('a known type at a known version that fails its schema is not "unknown": it is damage', () => {
    const error = thrownBy(() => decodeRecord(rawRecord({ ...appScaled, data: { appId: 1 } }, 4)));
    expect(error).toBeInstanceOf(EventValidationError);
    expect(error).not.toBeInstanceOf(UnknownEventError);
  });

  it('upcasts AppScaled v1, as an older release wrote it, to v2 with lastScalingAt = the envelope time', () => {
    const old = fixture<{ at: string; data: { appId: string; instances: number } }>('app-scaled.v1.json');
    const decoded = decodeRecord(rawRecord(old, 3));
    expect(decoded).toEqual({
      ...old,
      v: 2,
      data: { appId: '/prod/web', instances: 5, lastScalingAt: '2025-11-03T09:15:42.120Z' },
      offset: 3,
    });
    expect(appScaledV2.safeParse(decoded.data).success).toBe(true);
  });

  it('upcasts TaskLaunched v1, launched before tasks ran checks, to v3 with no checks and nothing to fetch', () => {
    const old = fixture<{ data: object }>('task-launched.v1.json');
    const decoded = decodeRecord(rawRecord(old, 4));
    expect(decoded).toEqual({
      ...old,
      v: 3,
      data: { ...old.data, healthChecks: [], readinessChecks: [], placement: null, fetch: [] },
      offset: 4,
    });
  });

  it('upcasts TaskLaunched v2, launched before the agent fetched artifacts, to v3 with nothing to fetch', () => {
    const old = fixture<{ data: object }>('task-launched.v2.json');
    const decoded = decodeRecord(rawRecord(old, 5));
    expect(decoded).toEqual({ ...old, v: 3, data: { ...old.data, fetch: [] }, offset: 5 });
  });

  it('refuses an old version whose data fails that version’s schema, before upcasting', () => {
    const old = fixture<{ data: object }>('app-scaled.v1.json');
    expect(() => decodeRecord(rawRecord({ ...old, data: { appId: 'relative', instances: 1 } }))).toThrow(
      /AppScaled v1 at offset 7 fails its schema/,
    );
  });
});
