import { gzipSync, gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { initialState, viewOf, stateHash } from '@cairn/domain';
import { runSteps, stepRun } from '@cairn/domain/testing/cluster-arbitraries';
import { stateJson } from '@cairn/domain/testing/decider-spec';
import { decodeRecord } from '@cairn/events';
import { ProjectionRunner } from '../core/projection-runner';
import { decodeSnapshot, encodeSnapshot, SNAPSHOT_FORMAT, SnapshotFormatError } from './snapshot-codec';

/** A snapshot taken after `split` events, loaded, and replayed to the end, against a full replay. */
async function snapshotThenReplay(records: ReturnType<typeof runSteps>['log'], split: number) {
  const events = records.map(decodeRecord);
  const full = new ProjectionRunner();
  full.apply(events);
  const before = new ProjectionRunner();
  before.apply(events.slice(0, split));
  const header = {
    format: SNAPSHOT_FORMAT,
    offset: before.appliedOffset,
    eventId: before.lastEventId!,
    events: before.eventsApplied,
    hash: before.hash(),
  };
  const { body } = await encodeSnapshot(viewOf(before.state), before.appVersions.entries(), header);
  const loaded = await decodeSnapshot(body);
  const resumed = new ProjectionRunner();
  resumed.restore({ ...loaded.header, state: loaded.state, appVersions: loaded.appVersions });
  resumed.apply(events.slice(split), { owned: true });
  return { full, resumed };
}

describe('snapshot codec', () => {
  it('a snapshot at any offset, plus the events after it, folds to the state of a full replay', async () => {
    await fc.assert(
      fc.asyncProperty(
        stepRun({ disconnects: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        async (steps, at) => {
          const { log } = runSteps(steps);
          fc.pre(log.length > 0);
          const split = Math.max(1, Math.floor(at * log.length));
          const { full, resumed } = await snapshotThenReplay(log, split);
          expect(resumed.hash()).toBe(full.hash());
          expect(stateJson(resumed.state)).toBe(stateJson(full.state));
          expect(resumed.eventsApplied).toBe(full.eventsApplied);
          expect(resumed.appliedOffset).toBe(full.appliedOffset);
          for (const appId of full.state.apps.keys()) {
            expect(resumed.appVersions.versions(appId)).toEqual(full.appVersions.versions(appId));
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('refuses a truncated body, an unknown format and a body that does not hash to its header', async () => {
    const projection = new ProjectionRunner();
    const header = { format: SNAPSHOT_FORMAT, offset: 0, eventId: 'e', events: 1, hash: stateHash(initialState()) };
    const { body } = await encodeSnapshot(viewOf(projection.state), [], header);
    await expect(decodeSnapshot(body)).resolves.toMatchObject({ header });

    const lines = gunzipSync(body).toString('utf8').split('\n');
    const withoutEnd = lines.filter((line) => !line.startsWith('["end"')).join('\n');
    await expect(decodeSnapshot(gzipSync(withoutEnd))).rejects.toThrow(/truncated/);

    const newer = [JSON.stringify({ ...header, format: SNAPSHOT_FORMAT + 1 }), ...lines.slice(1)].join('\n');
    await expect(decodeSnapshot(gzipSync(newer))).rejects.toThrow(/format/);

    const tampered = lines.map((line) => line.replace('"tasksLaunched",0', '"tasksLaunched",7')).join('\n');
    await expect(decodeSnapshot(gzipSync(tampered))).rejects.toThrow(SnapshotFormatError);
    await expect(decodeSnapshot(Buffer.from('not gzip'))).rejects.toThrow(/gzip/);
  });

  it('knows every field of the state: a new field needs the codec checked and SNAPSHOT_FORMAT bumped', () => {
    // If this fails, ClusterState changed: make sure the codec carries the new field (maps, sets
    // and plain values are handled; nested Maps are not), bump SNAPSHOT_FORMAT, then update this list.
    expect(Object.keys(initialState()).sort()).toEqual([
      'agents',
      'appliedUpdateIds',
      'apps',
      'clusterVersion',
      'demandCauses',
      'deploymentOfApp',
      'deployments',
      'groups',
      'lastSnapshot',
      'lastTaskFailure',
      'launchDelays',
      'leader',
      'offerFilters',
      'pendingOffers',
      'queueReasons',
      'tasks',
      'tasksLaunched',
    ]);
    expect(SNAPSHOT_FORMAT).toBe(2);
  });
});
