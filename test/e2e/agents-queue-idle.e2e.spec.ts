import {
  AgentHandle,
  describeEachBackend,
  endOffset,
  Json,
  MasterHandle,
  sleep,
  startAgent,
  startMaster,
  TEST_MASTER_AGENT_ENV,
  waitFor,
  waitForNoDeployment,
  waitForRunningTasks,
} from '../harness';

jest.setTimeout(120_000);

const TICK_MS = Number(TEST_MASTER_AGENT_ENV.CAIRN_TICK_MS);
/**
 * How long an idle cluster is watched for writes: 10 scheduler ticks, each of which also pings
 * the agent's command stream. Proving that nothing happens takes a fixed window by nature.
 */
const IDLE_WINDOW_MS = 10 * TICK_MS;
const AGENT_CPUS = 2;
const HUGE = '/e2e/huge';
const SMALL = '/e2e/small';

/** Every object nested in `value` (reasons sit at different depths in Marathon's queue shapes). */
function objectsIn(value: Json): Record<string, Json>[] {
  if (value === null || typeof value !== 'object') return [];
  const own = Array.isArray(value) ? [] : [value as Record<string, Json>];
  return own.concat(Object.values(value).flatMap(objectsIn));
}

describeEachBackend('the launch queue and an idle cluster', (backend) => {
  let master: MasterHandle;
  let agent: AgentHandle;

  beforeAll(async () => {
    master = await startMaster({ backend, env: TEST_MASTER_AGENT_ENV });
    agent = await startAgent({
      masterUrl: master.url,
      hostname: 'node-1',
      resources: `cpus:${AGENT_CPUS};mem:1024;ports:[31000-31009]`,
    });
  });

  afterAll(async () => {
    await agent?.killTasksAndStop();
    await master?.stop();
  });

  it('an app too big for the cluster waits in /v2/queue with a reason naming cpus, and /v1/queue gives the numbers', async () => {
    const created = await master.http.post('/v2/apps', {
      id: HUGE,
      cmd: 'exec sleep 300',
      cpus: 64,
      mem: 16,
      instances: 1,
    });
    expect(created.status).toBe(201);
    const entry = await waitFor(
      async () => {
        const queue: Json[] = (await master.http.get('/v2/queue')).body.queue;
        const mine = queue.find((q) => q.app?.id === HUGE);
        // The reason is known once an offer was processed for it.
        return mine && mine.processedOffersSummary?.processedOffersCount > 0 ? mine : undefined;
      },
      { describe: `${HUGE} in /v2/queue with a processed offer`, onTimeout: () => agent.describeLogs() },
    );
    expect(entry.count).toBe(1);
    // Marathon's queue item names the reasons; the numbers behind them are Cairn's, at /v1/queue.
    const withOffers = (await master.http.get('/v2/queue?embed=lastUnusedOffers')).body.queue as Json[];
    expect(withOffers.find((q) => q.app.id === HUGE)?.lastUnusedOffers).toEqual([
      { reason: expect.arrayContaining(['InsufficientCpus']) },
    ]);
    const reasons = ((await master.http.get('/v1/queue')).body.queue as Json[]).find((q) => q.appId === HUGE);
    const cpuReasons = objectsIn(reasons).filter(
      (o) => typeof o.reason === 'string' && /cpu/i.test(o.reason) && typeof o.requested === 'number',
    );
    expect(cpuReasons.length).toBeGreaterThan(0);
    expect(cpuReasons[0]).toMatchObject({ requested: 64, available: AGENT_CPUS });
    const summary = entry.processedOffersSummary.rejectSummaryLastOffers as Json[];
    expect(summary.find((step) => /cpu/i.test(JSON.stringify(step)) && step.declined > 0)).toBeDefined();
    expect((await master.http.get(`/v2/apps${HUGE}/tasks`)).body.tasks).toEqual([]);
  });

  it("an idle cluster's end offset does not move, running tasks and all", async () => {
    expect((await master.http.delete(`/v2/apps${HUGE}`)).status).toBe(200);
    const created = await master.http.post('/v2/apps', {
      id: SMALL,
      cmd: 'exec sleep 300',
      cpus: 0.1,
      mem: 16,
      instances: 2,
    });
    expect(created.status).toBe(201);
    await waitForRunningTasks(master, SMALL, 2, { onTimeout: () => agent.describeLogs() });
    await waitFor(async () => (await master.http.get('/v2/queue')).body.queue.length === 0, {
      describe: 'an empty launch queue',
    });
    // Its deployment finishes on the tick after the tasks run: that is the last event of the story.
    await waitForNoDeployment(master);

    const before = await master.info();
    await sleep(IDLE_WINDOW_MS);
    const after = await endOffset(master);
    const written =
      after === before.endOffset
        ? []
        : (await master.http.get(`/v1/events?from=${before.endOffset}`)).body.events.map((e: Json) => e.type);
    expect(written).toEqual([]);
    expect(after).toBe(before.endOffset);
    expect((await master.info()).appliedOffset).toBe(before.appliedOffset);
    expect(agent.process.exitStatus()).toBeUndefined();
  });
});
