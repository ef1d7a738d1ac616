import {
  allEvents,
  baseChildEnv,
  floodingSimulatedAgentsArgs,
  loadApps,
  Json,
  MasterHandle,
  scaleLoad,
  spawnTracked,
  startMaster,
  summarise,
  TEST_AGENT_TOKEN,
  TEST_MASTER_AGENT_ENV,
  TrackedProcess,
  waitFor,
  withEnv,
} from '../harness';
import { requireBuiltCli } from '../harness/repo-paths';

jest.setTimeout(180_000);

const WRITERS = 200;
const LOAD_MS = 10_000;
const AGENTS = 10;
const QUEUE_MAX = 5;
const appIds = Array.from({ length: WRITERS }, (_, i) => `/load/app-${i}`);

describe('backpressure: 200 concurrent writers while simulated agents flood status updates [file]', () => {
  let master: MasterHandle;
  let agents: TrackedProcess | undefined;

  beforeAll(async () => {
    // A small queue, so that 200 writers overrun it and the refusals are seen too.
    master = await startMaster({
      backend: 'file',
      env: { ...TEST_MASTER_AGENT_ENV, CAIRN_COMMAND_QUEUE_MAX: String(QUEUE_MAX) },
    });
    // Tasks that end every second (a fifth of them failing) and are replaced: a steady flood of
    // launches and status updates, through the agents' lane of the sequencer.
    agents = spawnTracked(process.execPath, [requireBuiltCli(), ...floodingSimulatedAgentsArgs(AGENTS, master.url)], {
      env: withEnv(baseChildEnv(), { CAIRN_AGENT_TOKEN: TEST_AGENT_TOKEN }),
      stdio: 'ignore',
    });
    await waitFor(
      async () => {
        const listed = (await master.http.get('/v1/agents')).body.agents as Json[];
        return listed.filter((a) => a.connected).length === AGENTS ? true : undefined;
      },
      { timeoutMs: 60_000, describe: `${AGENTS} simulated agents connected` },
    );
    const created = await master.http.put('/v2/apps', loadApps(appIds));
    expect(created.status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    agents?.signalGroup('SIGTERM');
    await master?.stop();
  });

  it('every accepted write is durable and visible, every refused one is a clean 503, none is lost', async () => {
    const writes = await scaleLoad({
      put: (path, body) => master.http.put(path, body, { timeoutMs: 30_000 }),
      appIds,
      durationMs: LOAD_MS,
      maxInstances: 2,
    });
    const summary = summarise(writes, LOAD_MS);
    const updates = (await allEvents(master, ['TaskStatusUpdated'])).length;
    console.log(
      `REST under load: ${WRITERS} writers for ${LOAD_MS / 1000} s, ${AGENTS} simulated agents (${updates} status updates ` +
        `in the log): ${summary.accepted} writes accepted (${summary.acceptedPerSecond}/s), ${summary.refused} refused ` +
        `(503), ${summary.other} other; accepted p50 ${summary.p50Ms} ms, p99 ${summary.p99Ms} ms`,
    );

    // Only 200 and 503: no 5xx, no 409 (forced), no dropped connection.
    expect(writes.filter((w) => w.status !== 200 && w.status !== 503)).toEqual([]);
    expect(summary.accepted).toBeGreaterThan(WRITERS);
    // The queue was overrun, and each refusal is Marathon's 503 with a time to come back.
    expect(summary.refused).toBeGreaterThan(0);
    const refusals = writes.filter((w) => w.status === 503);
    expect(refusals.filter((w) => !w.retryAfter || !w.body?.includes('queue is full'))).toEqual([]);

    // Durable: every accepted write that changed its app started a deployment that is in the log.
    // One that asked for the count the app already had changes nothing and starts none (each
    // writer's writes are in order, so "already had" is its previous accepted write, or 1 at first).
    const started = new Set((await allEvents(master, ['DeploymentStarted'])).map((e) => e.data.deploymentId as string));
    const previous = new Map<string, number>();
    const lost = writes.filter((w) => {
      if (w.status !== 200) return false;
      const changed = w.instances !== (previous.get(w.appId) ?? 1);
      previous.set(w.appId, w.instances);
      return changed ? !w.deploymentId || !started.has(w.deploymentId) : w.deploymentId !== null;
    });
    expect(lost).toEqual([]);
    // Visible: each app holds its writer's last accepted instance count (one writer per app).
    const lastAccepted = new Map<string, number>();
    for (const w of writes) if (w.status === 200) lastAccepted.set(w.appId, w.instances);
    const apps = new Map(
      ((await master.http.get('/v2/apps')).body.apps as Json[]).map((a) => [a.id as string, a.instances]),
    );
    const stale = [...lastAccepted].filter(([id, instances]) => apps.get(id) !== instances);
    expect(stale).toEqual([]);
    expect(updates).toBeGreaterThan(0);
  });
});
