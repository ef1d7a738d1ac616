import { HttpResponse, Json, MasterHandle, requireWriteOffset, startMaster, waitFor } from '../harness';

jest.setTimeout(180_000);

/** How long a fenced master may take to notice and exit after its failed write. */
const FENCED_EXIT_TIMEOUT_MS = 30_000;

describe('a second writer on the same cluster [kafka]', () => {
  let a: MasterHandle;
  let b: MasterHandle;

  afterAll(async () => {
    await b?.stop();
    await a?.kill();
  });

  it('B fences A: A exits non-zero on its next write, saying it was fenced; B serves writes', async () => {
    a = await startMaster({ backend: 'kafka' });
    const before = await a.http.post('/v2/apps', { id: '/fence/before', cmd: 'sleep 1' });
    expect(before.status).toBe(201);
    const beforeOffset = requireWriteOffset(before);

    // B takes over the same cluster (its own data dir; the log is the topic).
    b = await startMaster({ backend: 'kafka', cluster: a.cluster });
    expect((await b.http.get('/v2/apps/fence/before')).status).toBe(200);
    expect((await b.info()).appliedOffset).toBeGreaterThanOrEqual(beforeOffset);

    // A still believes it leads until it writes: that write must fail, and A must stop.
    let aWrite: HttpResponse | Error;
    try {
      aWrite = await a.http.post('/v2/apps', { id: '/fence/by-a', cmd: 'sleep 1' });
    } catch (err) {
      aWrite = err as Error; // A may exit before it answers
    }
    if (!(aWrite instanceof Error)) {
      expect(aWrite.status).toBeGreaterThanOrEqual(500);
      expect(aWrite.headers['x-cairn-offset']).toBeUndefined();
    }
    const exit = await waitFor(() => a.process.exitStatus(), {
      timeoutMs: FENCED_EXIT_TIMEOUT_MS,
      describe: 'the fenced master A to exit',
      onTimeout: () => a.describeLogs(),
    });
    if (exit.code === 0 || exit.code === null)
      throw new Error(`A exited with ${JSON.stringify(exit)}\n${a.describeLogs()}`);
    expect(a.stderr()).toMatch(/fenced/i);

    // B is unaffected and keeps writing; A's refused app is nowhere.
    for (const id of ['/fence/b1', '/fence/b2', '/fence/b3']) {
      const res = await b.http.post('/v2/apps', { id, cmd: 'sleep 1' });
      expect(res.status).toBe(201);
    }
    expect((await b.http.put('/v2/apps/fence/before?force=true', { instances: 2 })).status).toBe(200);
    expect((await b.http.get('/v2/apps/fence/by-a')).status).toBe(404);
    expect(b.process.exitStatus()).toBeUndefined();

    // The log: A's LeaderElected, A's app, B's LeaderElected, then only B's events.
    // (Deployment events left out: deployments.e2e.spec.ts is about them.)
    const events: Json[] = (await b.http.get('/v1/events?from=0&limit=1000')).body.events.filter(
      (e: Json) => !String(e.type).startsWith('Deployment'),
    );
    expect(events.map((e) => [e.type, e.data.app?.id ?? e.data.appId ?? null])).toEqual([
      ['LeaderElected', null],
      ['AppCreated', '/fence/before'],
      ['LeaderElected', null],
      ['AppCreated', '/fence/b1'],
      ['AppCreated', '/fence/b2'],
      ['AppCreated', '/fence/b3'],
      ['AppScaled', '/fence/before'],
    ]);
    const [electedA, , electedB] = events;
    expect(electedB.data.epoch).toBeGreaterThan(electedA.data.epoch);
    expect(electedB.data.instance).not.toBe(electedA.data.instance);
  });
});

describe('writes before the master is ready [kafka]', () => {
  let m: MasterHandle;

  afterAll(async () => {
    await m?.stop();
  });

  it('answers 503 with Retry-After while it opens the log, then 201 once ready', async () => {
    m = await startMaster({ backend: 'kafka', waitUntilReady: false });
    const answers: HttpResponse[] = [];
    // Back-to-back writes from the moment the port opens: the first answers come while the
    // master connects to Kafka, fences older writers and replays.
    await waitFor(
      async () => {
        if (m.process.exitStatus()) throw new Error(`master exited\n${m.describeLogs()}`);
        let res: HttpResponse;
        try {
          res = await m.http.post('/v2/apps', { id: '/early/app', cmd: 'sleep 1' }, { timeoutMs: 5_000 });
        } catch {
          return undefined; // not listening yet
        }
        answers.push(res);
        return res.status === 201 ? res : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1, describe: 'the master to accept a write', onTimeout: () => m.describeLogs() },
    );
    const early = answers.filter((r) => r.status !== 201);
    expect(early.length).toBeGreaterThan(0);
    for (const res of early) {
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toMatch(/^\d+$/);
      expect(res.body).toEqual(expect.objectContaining({ message: expect.any(String) }));
      expect(res.headers['x-cairn-offset']).toBeUndefined();
    }
    // Exactly one app, written once.
    const events: Json[] = (await m.http.get('/v1/events?from=0&limit=100')).body.events;
    expect(events.map((e) => e.type)).toEqual([
      'LeaderElected',
      'AppCreated',
      'DeploymentStarted',
      'DeploymentStepFinished', // StartApplication: a no-op, finished with the plan
    ]);
  });
});
