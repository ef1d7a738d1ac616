import {
  AgentHandle,
  allEvents,
  EventView,
  MasterHandle,
  startAgent,
  startMaster,
  TEST_MASTER_AGENT_ENV,
  waitFor,
  waitForSettled,
} from '../harness';

jest.setTimeout(120_000);

/** `name{labels} value` lines of a Prometheus text exposition, as a map (comments left out). */
function parsePrometheus(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

describe('metrics: counters that match the log, gauges from the fold, health probes [file]', () => {
  let master: MasterHandle;
  let agent: AgentHandle;
  const logs = () => [master?.describeLogs() ?? '', agent?.describeLogs() ?? ''].join('\n');

  beforeAll(async () => {
    master = await startMaster({ backend: 'file', env: TEST_MASTER_AGENT_ENV });
    agent = await startAgent({ masterUrl: master.url, resources: 'cpus:4;mem:4096;ports:[28600-28699]' });
  }, 60_000);

  afterAll(async () => {
    await agent?.killTasksAndStop();
    await master?.stop();
  });

  /** A scrape taken while the log is quiet: the applied offset is the same before and after it. */
  async function quietScrape(): Promise<{ samples: Map<string, number>; offset: number }> {
    return waitFor(
      async () => {
        const before = parsePrometheus((await master.http.get('/metrics/prometheus')).text);
        const after = parsePrometheus((await master.http.get('/metrics/prometheus')).text);
        const offset = before.get('cairn_applied_offset')!;
        if (offset !== after.get('cairn_applied_offset')) return undefined;
        return { samples: before, offset };
      },
      { describe: 'a scrape while the log is quiet', onTimeout: logs },
    );
  }

  it('counts, between two scrapes, exactly the events the log holds between their offsets', async () => {
    const first = await quietScrape();

    // A scenario: create, scale up, kill a task (replaced), scale down, delete.
    expect(
      (await master.http.post('/v2/apps', { id: '/m/web', cmd: 'exec sleep 300', instances: 2, cpus: 0.1, mem: 16 }))
        .status,
    ).toBe(201);
    await waitForSettled(master, '/m/web', 2, { onTimeout: logs });
    expect((await master.http.put('/v2/apps/m/web', { instances: 3 })).status).toBe(200);
    const tasks = (await waitForSettled(master, '/m/web', 3, { onTimeout: logs })).tasks as { id: string }[];
    expect((await master.http.delete(`/v2/apps/m/web/tasks/${tasks[0].id}`)).status).toBe(200);
    await waitFor(
      async () => {
        const app = (await master.http.get('/v2/apps/m/web')).body.app;
        return app.tasksRunning === 3 && !(app.tasks as { id: string }[]).some((t) => t.id === tasks[0].id)
          ? app
          : undefined;
      },
      { describe: 'the killed task replaced', onTimeout: logs },
    );
    expect((await master.http.put('/v2/apps/m/web', { instances: 1 })).status).toBe(200);
    await waitForSettled(master, '/m/web', 1, { onTimeout: logs });
    expect((await master.http.delete('/v2/apps/m/web')).status).toBe(200);
    await waitFor(async () => ((await master.http.get('/v2/tasks')).body.tasks.length === 0 ? true : undefined), {
      describe: 'every task gone',
      onTimeout: logs,
    });

    const second = await quietScrape();
    const between = (await allEvents(master)).filter((e) => e.offset > first.offset && e.offset <= second.offset);
    const delta = (name: string) => (second.samples.get(name) ?? 0) - (first.samples.get(name) ?? 0);
    const count = (predicate: (e: EventView) => boolean) => between.filter(predicate).length;

    expect(between.length).toBeGreaterThan(20);
    for (const type of new Set(between.map((e) => e.type))) {
      expect({ type, counted: delta(`cairn_events_applied_total{type="${type}"}`) }).toEqual({
        type,
        counted: count((e) => e.type === type),
      });
    }
    expect(delta('cairn_task_launches_total')).toBe(count((e) => e.type === 'TaskLaunched'));
    expect(delta('cairn_task_launches_total')).toBe(4); // 2, +1 on scale up, +1 replacing the killed one
    // Offers, not records: from cluster version 3 one OffersDeclined holds every decline of a pass.
    const declinedOffers = between.reduce(
      (sum, e) =>
        sum + (e.type === 'OfferDeclined' ? 1 : e.type === 'OffersDeclined' ? (e.data.offers as unknown[]).length : 0),
      0,
    );
    expect(delta('cairn_offers_declined_total')).toBe(declinedOffers);
    expect(delta('cairn_offers_accepted_total')).toBe(count((e) => e.type === 'OfferAccepted'));
    expect(delta('cairn_offers_made_total')).toBe(
      between.filter((e) => e.type === 'OffersMade').reduce((n, e) => n + (e.data.offers as unknown[]).length, 0),
    );
    for (const state of ['TASK_RUNNING', 'TASK_KILLED']) {
      expect(delta(`cairn_task_status_updates_total{state="${state}"}`)).toBe(
        count((e) => e.type === 'TaskStatusUpdated' && e.data.state === state),
      );
    }
    expect(delta('cairn_deployments_ended_total{outcome="finished"}')).toBe(
      count((e) => e.type === 'DeploymentFinished'),
    );
    expect(delta('cairn_events_appended_total')).toBe(between.length); // this master wrote all of them
    expect(delta('cairn_deployment_duration_seconds_count{outcome="finished"}')).toBe(
      count((e) => e.type === 'DeploymentFinished'),
    );
    expect(delta('cairn_http_request_duration_seconds_count{method="PUT",route="/v2/apps/*",status="200"}')).toBe(2);

    // Gauges from the fold, and this master's position.
    expect(second.samples.get('cairn_apps')).toBe(0);
    expect(second.samples.get('cairn_agents{status="ACTIVE"}')).toBe(1);
    expect(second.samples.get('cairn_leader')).toBe(1);
    expect(second.samples.get('cairn_standby_lag_offsets')).toBe(0);
    expect(second.samples.get('cairn_sequencer_queue_depth')).toBe(0);

    // Marathon's JSON /metrics renders the same registry.
    const json = (await master.http.get('/metrics')).body;
    expect(json.version).toBe('4.0.0');
    expect(json.counters['cairn_task_launches_total'].count).toBeGreaterThanOrEqual(4);
    expect(json.gauges['cairn_apps'].value).toBe(0);
    expect(json.histograms['cairn_log_append_duration_seconds'].count).toBeGreaterThan(0);
  });

  it('answers the liveness and readiness probes: the leader is ready', async () => {
    expect((await master.http.get('/v1/health/live')).body).toMatchObject({ status: 'live', phase: 'ready' });
    const ready = await master.http.get('/v1/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ready', role: 'leader', lagOffsets: 0 });
  });
});
