import { HttpResponse, Json, MasterHandle, requireWriteOffset, startMaster, waitFor } from '../harness';

jest.setTimeout(180_000);

/** Election timings for a loaded 2-core CI machine: a slow heartbeat must not look like a death. */
const HA_ENV = { CAIRN_ELECTION_HEARTBEAT_MS: '300', CAIRN_ELECTION_TIMEOUT_MS: '3000' };
/** Failover is measured in the benchmark; here it only has to happen. */
const TAKEOVER_TIMEOUT_MS = 30_000;

async function role(master: MasterHandle): Promise<string | undefined> {
  try {
    const res = await master.http.get('/v1/info', { timeoutMs: 2_000 });
    return res.status === 200 ? res.body.role : undefined;
  } catch {
    return undefined;
  }
}

async function waitForRole(master: MasterHandle, wanted: 'leader' | 'standby'): Promise<void> {
  await waitFor(async () => (await role(master)) === wanted, {
    timeoutMs: TAKEOVER_TIMEOUT_MS,
    describe: `${master.url} to be the ${wanted}`,
    onTimeout: () => master.describeLogs(),
  });
}

/** The events after `from`, without deployment bookkeeping (deployments.e2e is about those). */
async function appEvents(master: MasterHandle, from = 0): Promise<Json[]> {
  const events: Json[] = (await master.http.get(`/v1/events?from=${from}&limit=1000`)).body.events;
  return events.filter((e) => !String(e.type).startsWith('Deployment'));
}

describe('masters on one Kafka cluster: one leader, hot standbys [kafka]', () => {
  let a: MasterHandle;
  let b: MasterHandle;

  afterEach(async () => {
    for (const m of [a, b]) {
      if (m && !m.process.exitStatus()) {
        try {
          process.kill(m.pid, 'SIGCONT');
        } catch {
          // already gone
        }
        await m.kill();
      }
    }
  });

  it('a standby serves reads, forwards writes (reading its own), and takes over when the leader is SIGKILLed', async () => {
    a = await startMaster({ backend: 'kafka', env: HA_ENV });
    await waitForRole(a, 'leader');
    b = await startMaster({ backend: 'kafka', cluster: a.cluster, env: HA_ENV });
    await waitForRole(b, 'standby');
    expect((await b.http.get('/v2/leader')).body).toEqual({ leader: new URL(a.url).host });
    expect((await b.http.get('/v2/info')).body).toMatchObject({ elected: false, leader: new URL(a.url).host });

    // A write through the standby: forwarded to the leader, and readable at once through B.
    const viaB = await b.http.post('/v2/apps', { id: '/ha/via-b', cmd: 'sleep 1', instances: 0 });
    expect(viaB.status).toBe(201);
    expect(viaB.headers['x-marathon-leader']).toBe(a.url);
    expect(viaB.headers['x-marathon-via']).toBe(new URL(b.url).host);
    const offset = requireWriteOffset(viaB);
    expect((await b.info()).appliedOffset).toBeGreaterThanOrEqual(offset);
    expect((await b.http.get('/v2/apps/ha/via-b')).status).toBe(200);
    // Standbys hold the same state as the leader at the same offset.
    await waitFor(async () => (await a.info()).appliedOffset === (await b.info()).appliedOffset, {
      describe: 'both masters at the same offset',
    });
    const onFirstLeader = (await a.http.get('/v1/state/hash')).body as { hash: string; offset: number };
    expect((await b.http.get('/v1/state/hash')).body).toEqual(onFirstLeader);

    const firstLeader = new URL(a.url).host; // a restarted handle listens on a new port
    await a.kill();
    await waitForRole(b, 'leader');
    const afterKill = await b.http.post('/v2/apps', { id: '/ha/after', cmd: 'sleep 1', instances: 0 });
    expect(afterKill.status).toBe(201);
    // Time travel across the failover: the new leader rebuilds the state of an offset the first
    // leader served, with the hash that leader gave then.
    expect((await b.http.get(`/v1/state?at=${onFirstLeader.offset}`)).body).toMatchObject(onFirstLeader);

    // A comes back: it follows as a standby, and never writes a LeaderElected of its own.
    await a.start();
    await waitForRole(a, 'standby');
    const events = await appEvents(b);
    expect(events.map((e) => [e.type, e.data.app?.id ?? e.data.instance ?? null])).toEqual([
      ['LeaderElected', firstLeader],
      ['ClusterVersionRaised', null],
      ['AppCreated', '/ha/via-b'],
      ['LeaderElected', new URL(b.url).host],
      ['AppCreated', '/ha/after'],
    ]);
    const [electedA, , , electedB] = events;
    expect(electedB.data.epoch).toBeGreaterThan(electedA.data.epoch);
  });

  it('an old leader SIGSTOPped while another took over cannot append after SIGCONT: it becomes a standby', async () => {
    a = await startMaster({ backend: 'kafka', env: HA_ENV });
    await waitForRole(a, 'leader');
    b = await startMaster({ backend: 'kafka', cluster: a.cluster, env: HA_ENV });
    await waitForRole(b, 'standby');

    process.kill(a.pid, 'SIGSTOP');
    await waitForRole(b, 'leader');
    const end = (await b.info()).endOffset;
    process.kill(a.pid, 'SIGCONT');

    // A learns it was deposed (a higher term, or its writer fenced) and follows B.
    await waitForRole(a, 'standby');
    const write = await a.http.post('/v2/apps', { id: '/ha/after-pause', cmd: 'sleep 1', instances: 0 });
    expect(write.status).toBe(201);
    expect(write.headers['x-marathon-leader']).toBe(b.url);
    // Nothing of A's after B's election: only B's events follow.
    const after = (await appEvents(b, end)).filter((e) => e.type === 'LeaderElected');
    expect(after).toEqual([]);
    expect(a.process.exitStatus()).toBeUndefined();
  });

  it('DELETE /v2/leader hands leadership to the standby', async () => {
    a = await startMaster({ backend: 'kafka', env: HA_ENV });
    await waitForRole(a, 'leader');
    b = await startMaster({ backend: 'kafka', cluster: a.cluster, env: HA_ENV });
    await waitForRole(b, 'standby');
    // Through the standby, as Marathon's clients may send it: forwarded to the leader.
    const res = await b.http.delete('/v2/leader');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Leadership abdicated' });
    await waitForRole(b, 'leader');
    await waitForRole(a, 'standby');
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
      'ClusterVersionRaised',
      'AppCreated',
      'DeploymentStarted',
      'DeploymentStepFinished', // StartApplication: a no-op, finished with the plan
    ]);
  });
});
