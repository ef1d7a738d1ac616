/** A PUT with a JSON body, answering status, headers and the parsed body (the harness's client, or the bench's). */
export type PutJson = (
  path: string,
  body: unknown,
) => Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: unknown }>;

/** One scale PUT of the load: what was asked, what came back, how long it took. */
export interface LoadWrite {
  readonly appId: string;
  readonly instances: number;
  readonly status: number;
  readonly ms: number;
  readonly deploymentId?: string;
  readonly retryAfter?: string;
  readonly body?: string;
}

export interface LoadSummary {
  readonly writes: number;
  readonly accepted: number;
  readonly refused: number;
  readonly other: number;
  readonly acceptedPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/**
 * Scale PUTs from concurrent writers, each on its own app (writer i → appIds[i]), as fast as
 * answers come, for `durationMs`. Forced (`?force=true`): a write never waits on the app's
 * deployment lock, so every answer is the master's capacity, not a 409. Shared by the e2e test
 * (test/e2e/backpressure.e2e.spec.ts) and `npm run bench` (bench/http/rest-load.bench.ts).
 */
export async function scaleLoad(options: {
  readonly put: PutJson;
  readonly appIds: readonly string[];
  readonly durationMs: number;
  readonly maxInstances: number;
}): Promise<LoadWrite[]> {
  const writes: LoadWrite[] = [];
  const deadline = Date.now() + options.durationMs;
  await Promise.all(
    options.appIds.map(async (appId, writer) => {
      for (let n = 1; Date.now() < deadline; n++) {
        const instances = (writer + n) % (options.maxInstances + 1);
        const started = performance.now();
        const res = await options
          .put(`/v2/apps${appId}?force=true`, { instances })
          .catch((error: Error) => ({ status: 0, headers: {} as Record<string, undefined>, body: error.message }));
        const ms = performance.now() - started;
        const body = res.body as { deploymentId?: string } | undefined;
        const retryAfter = res.headers['retry-after'];
        writes.push({
          appId,
          instances,
          status: res.status,
          ms,
          deploymentId: res.status === 200 ? body?.deploymentId : undefined,
          retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
          body: res.status === 200 ? undefined : JSON.stringify(res.body).slice(0, 200),
        });
      }
    }),
  );
  return writes;
}

export function summarise(writes: readonly LoadWrite[], durationMs: number): LoadSummary {
  const accepted = writes.filter((w) => w.status === 200);
  const refused = writes.filter((w) => w.status === 503);
  const sorted = accepted.map((w) => w.ms).sort((a, b) => a - b);
  const at = (q: number) =>
    sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return {
    writes: writes.length,
    accepted: accepted.length,
    refused: refused.length,
    other: writes.length - accepted.length - refused.length,
    acceptedPerSecond: Math.round((accepted.length * 1000) / durationMs),
    p50Ms: Math.round(at(0.5) * 10) / 10,
    p99Ms: Math.round(at(0.99) * 10) / 10,
  };
}

/**
 * `cairn agent` arguments for N simulated agents that flood status updates: their tasks end after
 * a second, a fifth of them failing, and are replaced.
 */
export function floodingSimulatedAgentsArgs(agents: number, masterUrl: string): string[] {
  return [
    'agent',
    '--simulated',
    String(agents),
    '--master',
    masterUrl,
    '--task-seconds',
    '1',
    '--failure-rate',
    '0.2',
  ];
}

/** The apps of the load, one per writer: tiny, so that hundreds of tasks fit ten simulated agents. */
export function loadApps(
  appIds: readonly string[],
): { id: string; cmd: string; cpus: number; mem: number; instances: number }[] {
  return appIds.map((id) => ({ id, cmd: 'sleep 3600', cpus: 0.01, mem: 1, instances: 1 }));
}
