import { SeededIdSource } from '@cairn/common';
import type { Command } from '@cairn/domain';
import { MemoryEventLog } from '@cairn/eventlog/memory/memory-event-log';
import { APP_VERSIONS_MAX } from './app-versions';
import { readEvents } from './event-stream';
import { ProjectionRunner } from './projection-runner';
import { Sequencer } from './sequencer';

const T0 = Date.UTC(2026, 0, 1);
let seq = 0;
const meta = (now: number) => ({ now, actor: 't', commandId: `c-${++seq}`, correlationId: `c-${seq}` });
const create = (now: number): Command => ({
  kind: 'CreateApp',
  force: true,
  app: { id: '/web', cmd: 'sleep 1', instances: 0 },
  meta: meta(now),
});
const update = (body: Record<string, unknown>, now: number): Command => ({
  kind: 'UpdateApp',
  force: true,
  appId: '/web',
  body,
  partial: true,
  meta: meta(now),
});

async function writer() {
  const log = new MemoryEventLog({ offsetGap: 1 });
  await log.open();
  const projection = new ProjectionRunner();
  const sequencer = new Sequencer({ log, projection, ids: new SeededIdSource('versions'), onFatal: () => undefined });
  return { log, projection, sequencer };
}

describe('AppVersionIndex: past versions as log offsets', () => {
  it('lists versions newest first and reads each back from the log, scales and restarts included', async () => {
    const { log, projection, sequencer } = await writer();
    await sequencer.submit(create(T0));
    await sequencer.submit(update({ cmd: 'sleep 2' }, T0 + 1_000));
    await sequencer.submit(update({ instances: 3 }, T0 + 2_000));
    await sequencer.submit({ kind: 'RestartApp', appId: '/web', force: true, meta: meta(T0 + 3_000) });
    const versions = projection.appVersions.versions('/web');
    expect(versions).toEqual([T0 + 3_000, T0 + 2_000, T0 + 1_000, T0].map((t) => new Date(t).toISOString()));

    const first = await projection.appVersions.definitionAt(log, '/web', versions[3]);
    expect(first).toMatchObject({ cmd: 'sleep 1', instances: 0, version: versions[3] });
    const scaled = await projection.appVersions.definitionAt(log, '/web', versions[1]);
    expect(scaled).toMatchObject({ cmd: 'sleep 2', instances: 3, version: versions[1] });
    expect(scaled?.versionInfo).toEqual({ lastConfigChangeAt: versions[2], lastScalingAt: versions[1] });
    // What the index reads back is what the state held at that version.
    expect(await projection.appVersions.definitionAt(log, '/web', versions[0])).toEqual(
      projection.state.apps.get('/web'),
    );
    expect(await projection.appVersions.definitionAt(log, '/web', '1999-01-01T00:00:00.000Z')).toBeUndefined();
  });

  it('reads back every version of a run of scales and restarts as the state held it, storing a few offsets each', async () => {
    const { log, projection, sequencer } = await writer();
    await sequencer.submit(create(T0));
    const held = new Map<string, unknown>();
    const steps: Command[] = [];
    for (let i = 1; i <= 12; i++) {
      const now = T0 + i * 1_000;
      steps.push(
        i % 5 === 0
          ? { kind: 'RestartApp', appId: '/web', force: true, meta: meta(now) }
          : update({ instances: i }, now),
      );
    }
    for (const step of steps) {
      await sequencer.submit(step);
      const app = projection.state.apps.get('/web')!;
      held.set(app.version, structuredClone(app));
    }
    for (const [version, app] of held) {
      expect(await projection.appVersions.definitionAt(log, '/web', version)).toEqual(app);
    }
    // The config event, then per restart the last scale before it and the restart, then the last
    // scale: 6 offsets for 10 scales and 2 restarts, never one per scale.
    const longest = Math.max(...projection.appVersions.entries()[0][1].map((e) => e.offsets.length));
    expect(longest).toBe(1 + 2 * 2 + 1);
  });

  it(`keeps the last ${APP_VERSIONS_MAX} versions, forgets a deleted app, and a replay builds the same index`, async () => {
    const { log, projection, sequencer } = await writer();
    await sequencer.submit(create(T0));
    for (let i = 1; i <= APP_VERSIONS_MAX + 5; i++) await sequencer.submit(update({ cmd: `sleep ${i}` }, T0 + i));
    const versions = projection.appVersions.versions('/web');
    expect(versions).toHaveLength(APP_VERSIONS_MAX);
    expect(await projection.appVersions.definitionAt(log, '/web', versions.at(-1)!)).toMatchObject({ cmd: 'sleep 6' });

    const replayed = new ProjectionRunner();
    for await (const events of readEvents(log, { from: 0 })) replayed.apply(events, { owned: true });
    expect(replayed.appVersions.versions('/web')).toEqual(versions);

    await sequencer.submit({ kind: 'DeleteApp', appId: '/web', force: true, meta: meta(T0 + 10_000) });
    expect(projection.appVersions.versions('/web')).toEqual([]);
  });
});
