import {
  floodingSimulatedAgentsArgs,
  loadApps,
  type LoadWrite,
  scaleLoad,
  summarise,
} from '../../test/harness/rest-load';
import { BenchMaster } from '../agents/bench-master';
import { CairnProcess } from '../agents/cairn-process';
import { readLogPages } from '../agents/log-pages';
import { MasterHttp } from '../agents/master-http';
import { type Benchmark, type BenchContext, sized } from '../core/bench-context';
import type { BenchResult } from '../core/bench-result';
import { compare, row, type Side, target } from '../core/compare';
import { BareFastify } from './bare-fastify';

interface Sizes {
  readonly writers: number;
  readonly loadSeconds: number;
  readonly baselineSeconds: number;
  readonly agents: number;
}
const SIZES: { full: Sizes; smoke: Sizes } = {
  full: { writers: 200, loadSeconds: 60, baselineSeconds: 20, agents: 10 },
  smoke: { writers: 20, loadSeconds: 2, baselineSeconds: 1, agents: 2 },
};
const TOKEN = 'bench-rest-load';
/** Each writer's app goes 0..MAX_INSTANCES and back. */
const MAX_INSTANCES = 2;

/**
 * Issue 11's load test, for a minute: scale PUTs on distinct apps from 200 concurrent writers
 * (test/harness/rest-load.ts, the e2e test's driver) against a master on the file log while
 * simulated agents (a process of their own) flood status updates: tasks end after a second, a fifth
 * failing, and are replaced. Beside the same load against a bare Fastify server answering at once.
 * Every accepted write must be in the log (lost = 0); every refusal a 503 with Retry-After.
 */
export const restLoadBenchmark: Benchmark = {
  name: 'rest-load',
  needsKafka: false,
  async run(ctx: BenchContext): Promise<BenchResult> {
    const sizes = sized(ctx, SIZES);
    const dataDir = ctx.dirs.make('rest-load');
    const master = await BenchMaster.start({ dataDir, agentToken: TOKEN, tickMs: 1000, seed: 'rest-load' });
    const agents = CairnProcess.spawn('simulated-agents', floodingSimulatedAgentsArgs(sizes.agents, master.url), {
      logDir: dataDir,
      env: { CAIRN_AGENT_TOKEN: TOKEN, CAIRN_LOG_LEVEL: 'warn' },
    });
    const bare = await BareFastify.start();
    const bareHttp = new MasterHttp(bare.url);
    try {
      await waitForAgents(master.http, sizes.agents);
      const appIds = Array.from({ length: sizes.writers }, (_, i) => `/load/app-${i}`);
      await master.http.expect('PUT', '/v2/apps', loadApps(appIds));
      const from = await master.http.endOffset();
      let cairnWrites: LoadWrite[] = [];
      ctx.log(`rest-load: ${sizes.writers} writers for ${sizes.loadSeconds} s against the master`);
      const subject: Side = {
        label: `cairn master, ${sizes.agents} simulated agents flooding status updates`,
        async run() {
          cairnWrites = await scaleLoad({
            put: (path, body) => master.http.request('PUT', path, body),
            appIds,
            durationMs: sizes.loadSeconds * 1000,
            maxInstances: MAX_INSTANCES,
          });
          return sampleOf(cairnWrites, sizes.loadSeconds);
        },
      };
      const baseline: Side = {
        label: 'bare Fastify answering the same PUT at once (own process)',
        async run() {
          const writes = await scaleLoad({
            put: (path, body) => bareHttp.request('PUT', path, body),
            appIds,
            durationMs: sizes.baselineSeconds * 1000,
            maxInstances: MAX_INSTANCES,
          });
          return sampleOf(writes, sizes.baselineSeconds);
        },
      };
      const comparison = await compare({ subject, baseline, repetitions: 1, warmUp: false, order: 'subject-first' });

      // Durable: every accepted write that changed its app started a deployment in the log.
      const to = await master.http.endOffset();
      const events = await readLogPages(master.http, from, to);
      const started = new Set(
        events
          .filter((e) => e.type === 'DeploymentStarted')
          .map((e) => (e.data as { deploymentId: string }).deploymentId),
      );
      const lost = cairnWrites.filter((w) => w.status === 200 && w.deploymentId && !started.has(w.deploymentId)).length;
      const summary = summarise(cairnWrites, sizes.loadSeconds * 1000);
      const unclean = cairnWrites.filter(
        (w) => (w.status === 503 && !w.retryAfter) || (w.status !== 200 && w.status !== 503),
      ).length;
      const statusUpdates = events.filter((e) => e.type === 'TaskStatusUpdated').length;
      return {
        name: 'rest-load',
        title: 'REST writes under load (scale PUTs from concurrent writers, agents flooding status updates)',
        method:
          `${sizes.writers} writers, one app each, PUT /v2/apps/{id}?force=true {instances} as fast as answers come for ` +
          `${sizes.loadSeconds} s, against a master on the file log with ${sizes.agents} simulated agents whose tasks end ` +
          `after 1 s (20% failing) and are replaced; vs the same load for ${sizes.baselineSeconds} s against a bare ` +
          'Fastify server answering at once. Latencies are of accepted writes (durable when answered)',
        settings: {
          writers: sizes.writers,
          loadSeconds: sizes.loadSeconds,
          baselineSeconds: sizes.baselineSeconds,
          simulatedAgents: sizes.agents,
          statusUpdatesDuringLoad: statusUpdates,
        },
        rows: [
          row({
            case: 'accepted scale PUTs',
            unit: 'writes/s',
            comparison,
            targets: [
              target('lost writes = 0', !ctx.smoke, lost === 0),
              target('every refusal a 503 with Retry-After', !ctx.smoke, unclean === 0),
            ],
            details: {
              accepted: summary.accepted,
              refused: summary.refused,
              other: summary.other,
              lost,
              cairnP50Ms: summary.p50Ms,
              cairnP99Ms: summary.p99Ms,
              baselineP99Ms: comparison.baseline.p99Ms ?? 0,
            },
          }),
        ],
      };
    } finally {
      bareHttp.close();
      await bare.stop();
      await agents.stop('SIGTERM').catch(() => undefined);
      await master.stop();
    }
  },
};

function sampleOf(writes: readonly LoadWrite[], seconds: number) {
  const accepted = writes.filter((w) => w.status === 200);
  return { ops: accepted.length, seconds, latenciesMs: accepted.map((w) => w.ms) };
}

async function waitForAgents(http: MasterHttp, count: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { body } = await http.expect<{ agents: { connected: boolean }[] }>('GET', '/v1/agents');
    if (body.agents.filter((a) => a.connected).length === count) return;
    if (Date.now() > deadline) throw new Error(`${count} simulated agents did not connect within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
