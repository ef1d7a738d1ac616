import http from 'node:http';
import { readFileSync } from 'node:fs';
import { BenchMaster } from '../agents/bench-master';
import { type Benchmark, type BenchContext, sized } from '../core/bench-context';
import type { BenchResult, BenchRow } from '../core/bench-result';
import { compare, row, type Side, target } from '../core/compare';
import { secondsSince } from '../core/stats';
import { BareNest } from './bare-nest';
import { writeSizedClusterLog } from './sized-cluster-log';

interface Sizes {
  readonly apps: number;
  readonly idleApps: number;
  readonly tasks: number;
  readonly agents: number;
  /** Requests per repetition of each case (the warm-up sends a fifth of them, at least 1). */
  readonly requests: { one: number; put: number; list: number; embed: number; tasks: number };
  /** A repetition of the master's side stops sending after this long (a slow read still gives its figures). */
  readonly budgetSeconds: number;
  readonly repetitions: number;
}
const SIZES: { full: Sizes; smoke: Sizes } = {
  full: {
    apps: 10_000,
    idleApps: 100,
    tasks: 200_000,
    agents: 5_000,
    requests: { one: 2_000, put: 300, list: 20, embed: 6, tasks: 6 },
    budgetSeconds: 15,
    repetitions: 3,
  },
  smoke: {
    apps: 20,
    idleApps: 4,
    tasks: 100,
    agents: 4,
    requests: { one: 5, put: 4, list: 2, embed: 2, tasks: 2 },
    budgetSeconds: 60,
    repetitions: 1,
  },
};
const TOKEN = 'bench-rest-size';
const REQUEST_TIMEOUT_MS = 120_000;

interface Answer {
  readonly status: number;
  readonly bytes: number;
  readonly ms: number;
  readonly text?: string;
}

/**
 * One keep-alive connection, one request at a time (what a CLI or a dashboard polling the master
 * does); the time is to the last byte of the body, which is counted and not parsed (the client's
 * parsing is not the server's cost). `keep`: return the body's text too.
 */
class SerialClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  constructor(readonly url: string) {}

  send(method: 'GET' | 'PUT', path: string, body?: unknown, keep = false): Promise<Answer> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const start = process.hrtime.bigint();
    return new Promise((resolve, reject) => {
      const req = http.request(
        this.url + path,
        {
          method,
          agent: this.agent,
          headers: {
            accept: 'application/json',
            ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
          },
        },
        (res) => {
          let bytes = 0;
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            if (keep) chunks.push(chunk);
          });
          res.on('error', reject);
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              bytes,
              ms: Number(process.hrtime.bigint() - start) / 1e6,
              text: keep ? Buffer.concat(chunks).toString('utf8') : undefined,
            }),
          );
        },
      );
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`${method} ${path}: no answer in time`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** One case: the request the i-th call of a repetition sends, to the master and to the bare server. */
interface Case {
  readonly name: string;
  readonly count: number;
  readonly subject: (i: number) => { method: 'GET' | 'PUT'; path: string; body?: unknown };
  readonly baseline: { method: 'GET' | 'PUT'; body?: unknown };
  readonly targetMs?: number;
  readonly targetLabel?: string;
}

/**
 * Issue 12's reads at size: a compiled master on a file log holding 10,000 apps, 200,000 RUNNING
 * tasks on 5,000 agents (written directly: sized-cluster-log.ts), read one request at a time, each
 * case beside a bare NestJS + Fastify hello endpoint (own process) read by the same loop.
 */
export const restSizeBenchmark: Benchmark = {
  name: 'rest-size',
  needsKafka: false,
  async run(ctx: BenchContext): Promise<BenchResult> {
    const sizes = sized(ctx, SIZES);
    const dataDir = ctx.dirs.make('rest-size');
    ctx.log(`rest-size: writing ${sizes.apps} apps, ${sizes.tasks} tasks, ${sizes.agents} agents`);
    const writeStart = process.hrtime.bigint();
    const cluster = await writeSizedClusterLog(dataDir, sizes);
    const writeSeconds = secondsSince(writeStart);
    const startStart = process.hrtime.bigint();
    const master = await BenchMaster.start({
      dataDir,
      agentToken: TOKEN,
      tickMs: 1000,
      seed: 'rest-size',
      // No agent connects: the registered ones must not turn unreachable (their tasks replaced) while measured.
      env: { CAIRN_AGENT_UNREACHABLE_SECONDS: String(7 * 24 * 3600) },
      readyTimeoutMs: 300_000,
    });
    const startSeconds = secondsSince(startStart);
    const bare = await BareNest.start();
    const cairn = new SerialClient(master.url);
    const baseline = new SerialClient(bare.url);
    try {
      ctx.log(`rest-size: master serving after ${startSeconds.toFixed(1)} s; waiting for it to settle`);
      await settle(master, ctx.smoke ? 300 : 3_000, cluster.events >= SNAPSHOT_EVERY_DEFAULT);
      await checkAnswers(cairn, sizes);
      const busy = cluster.busyAppIds;
      const idle = cluster.idleAppIds;
      const idleInstances = new Map(idle.map((id) => [id, 0]));
      let puts = 0;
      const refused: string[] = [];
      const cases: Case[] = [
        {
          name: `GET /v2/apps/{id} (an app with ${Math.round(sizes.tasks / busy.length)} tasks)`,
          count: sizes.requests.one,
          // A stride through the apps (deterministic, not the same app twice in a row).
          subject: (i) => ({ method: 'GET', path: `/v2/apps${busy[(i * 7919) % busy.length]}` }),
          baseline: { method: 'GET' },
          targetMs: 5,
          targetLabel: 'p99 <= 5 ms',
        },
        {
          name: 'PUT /v2/apps/{id}?force=true {instances} (an idle app 0 -> 1 -> 0, durable)',
          count: sizes.requests.put,
          subject: () => {
            // Each idle app in turn: 0 -> 1 on its first turn, 1 -> 0 on the next.
            const id = idle[puts++ % idle.length];
            const instances = 1 - idleInstances.get(id)!;
            idleInstances.set(id, instances);
            return { method: 'PUT', path: `/v2/apps${id}?force=true`, body: { instances } };
          },
          baseline: { method: 'PUT', body: { instances: 1 } },
          targetMs: 20,
          targetLabel: 'p99 <= 20 ms (2xx only)',
        },
        {
          name: `GET /v2/apps (${sizes.apps.toLocaleString('en-US')} apps, counts + deployments)`,
          count: sizes.requests.list,
          subject: () => ({ method: 'GET', path: '/v2/apps' }),
          baseline: { method: 'GET' },
          targetMs: 500,
          targetLabel: 'p99 <= 500 ms',
        },
        {
          name: `GET /v2/apps?embed=apps.tasks (${sizes.tasks.toLocaleString('en-US')} tasks)`,
          count: sizes.requests.embed,
          subject: () => ({ method: 'GET', path: '/v2/apps?embed=apps.tasks' }),
          baseline: { method: 'GET' },
        },
        {
          name: `GET /v2/tasks (${sizes.tasks.toLocaleString('en-US')} tasks)`,
          count: sizes.requests.tasks,
          subject: () => ({ method: 'GET', path: '/v2/tasks' }),
          baseline: { method: 'GET' },
        },
      ];
      const rows: BenchRow[] = [];
      for (const c of cases) {
        ctx.log(`rest-size: ${c.name}`);
        const bytes: number[] = [];
        const sideOf = (label: string, send: (i: number) => Promise<Answer>, record: boolean): Side => ({
          label,
          async run(rep) {
            const n = rep < 0 ? Math.max(1, Math.round(c.count / 5)) : c.count;
            const latenciesMs: number[] = [];
            const start = process.hrtime.bigint();
            for (let i = 0; i < n; i++) {
              if (record && latenciesMs.length > 0 && secondsSince(start) > sizes.budgetSeconds) break;
              const answer = await send(i);
              if (answer.status < 200 || answer.status >= 300) {
                refused.push(`${label}: ${answer.status}`);
                continue;
              }
              latenciesMs.push(answer.ms);
              if (record && i === 0) bytes.push(answer.bytes);
            }
            return { ops: latenciesMs.length, seconds: secondsSince(start), latenciesMs };
          },
        });
        const comparison = await compare({
          subject: sideOf(
            'cairn master (compiled, file log)',
            (i) => {
              const r = c.subject(i);
              return cairn.send(r.method, r.path, r.body);
            },
            true,
          ),
          baseline: sideOf(
            'bare NestJS + Fastify hello (own process)',
            () => baseline.send(c.baseline.method, '/hello', c.baseline.body),
            false,
          ),
          repetitions: sizes.repetitions,
          warmUp: !ctx.smoke,
        });
        const p99 = comparison.subject.p99Ms ?? Number.POSITIVE_INFINITY;
        rows.push(
          row({
            case: c.name,
            unit: 'requests/s',
            comparison,
            targets: c.targetMs !== undefined ? [target(c.targetLabel!, !ctx.smoke, p99 <= c.targetMs)] : [],
            details: {
              cairnP50Ms: round2(comparison.subject.p50Ms ?? 0),
              cairnP99Ms: round2(p99),
              baselineP99Ms: round2(comparison.baseline.p99Ms ?? 0),
              p99RatioToBaseline: round2(p99 / (comparison.baseline.p99Ms ?? 1)),
              responseBytes: bytes.length > 0 ? Math.max(...bytes) : 0,
            },
          }),
        );
      }
      if (refused.length > 0) {
        throw new Error(`non-2xx answers while measuring: ${[...new Set(refused)].join('; ')}`);
      }
      const memory = await memoryOf(master);
      return {
        name: 'rest-size',
        title: 'REST reads at size (10,000 apps, 200,000 tasks) beside a bare NestJS hello',
        method:
          `a compiled \`cairn master\` (file log) started on a log of ${cluster.events.toLocaleString('en-US')} events ` +
          `written directly (${sizes.agents.toLocaleString('en-US')} AgentRegistered, ${sizes.apps.toLocaleString('en-US')} ` +
          `AppCreated of which ${sizes.idleApps} with 0 instances, ${sizes.tasks.toLocaleString('en-US')} × TaskLaunched + ` +
          'TaskStatusUpdated RUNNING), no agent connected (CAIRN_AGENT_UNREACHABLE_SECONDS one week); one keep-alive ' +
          'connection sends one request at a time, time to the last byte (a repetition stops sending after ' +
          `${sizes.budgetSeconds} s); each case beside the same loop against a bare ` +
          'NestJS + Fastify app answering GET/PUT /hello (own process); p50/p99 per repetition, median of repetitions',
        settings: {
          apps: sizes.apps,
          idleApps: sizes.idleApps,
          tasks: sizes.tasks,
          agents: sizes.agents,
          logEvents: cluster.events,
          repetitions: sizes.repetitions,
          logWriteSeconds: round2(writeSeconds),
          masterStartSeconds: round2(startSeconds),
          masterRssMiB: memory.rssMiB,
          masterPeakRssMiB: memory.peakRssMiB,
          masterHeapUsedMiB: memory.heapUsedMiB,
          masterHeapTotalMiB: memory.heapTotalMiB,
        },
        rows,
        notes: [
          'The scale PUT alternates each idle app between 1 and 0 instances (force=true): 0 -> 1 writes AppScaled + ' +
            'DeploymentStarted and the next tick places the task on a registered agent (which never connects), 1 -> 0 ' +
            'writes AppScaled + DeploymentStarted + TaskKillRequested; every answer is 2xx and comes after the append.',
          'Measured once the master has written its start-up snapshot (the log has none): while one is written, ' +
            'in 10 ms slices beside the requests, a request may wait behind a slice or two.',
          'Memory is read from the master at the end (/metrics/prometheus: process_resident_memory_bytes and ' +
            'nodejs_heap_size_used_bytes, peak RSS from /proc/<pid>/status VmHWM).',
        ],
      };
    } finally {
      cairn.close();
      baseline.close();
      await bare.stop();
      await master.stop();
    }
  },
};

/** Waits until the log's end stays put for `quietMs` (the first snapshot after a start, a first tick's events). */
/**
 * Waits until the master has written its start-up snapshot (the log was written without one, so a
 * master starting on it writes one at once, in 10 ms slices beside its requests: measured then, a
 * request would wait behind slices, which is the snapshot's cost, not the request's) and the log has
 * then been quiet for `quietMs`. `snapshotDue`: the log holds at least CAIRN_SNAPSHOT_EVERY events
 * (the master's default, which BenchMaster keeps), so a snapshot is written at start.
 */
const SNAPSHOT_EVERY_DEFAULT = 50_000;
async function settle(master: BenchMaster, quietMs: number, snapshotDue: boolean): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (snapshotDue && Date.now() < deadline) {
    const info = await master.http.expect<{ snapshots: { last: unknown } }>('GET', '/v1/info');
    if (info.body.snapshots.last !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  let last = await master.http.endOffset();
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    const now = await master.http.endOffset();
    if (now === last) return;
    last = now;
  }
}

/** The answers are complete: every app once, every task once (parsed here, outside any timing). */
async function checkAnswers(client: SerialClient, sizes: Sizes): Promise<void> {
  const apps = await json<{ apps: { tasks?: unknown[] }[] }>(client, '/v2/apps?embed=apps.tasks');
  const embedded = apps.apps.reduce((sum, app) => sum + (app.tasks?.length ?? 0), 0);
  const tasks = await json<{ tasks: unknown[] }>(client, '/v2/tasks');
  const plain = await json<{ apps: unknown[] }>(client, '/v2/apps');
  const got = { apps: apps.apps.length, plain: plain.apps.length, embedded, tasks: tasks.tasks.length };
  const want = { apps: sizes.apps, plain: sizes.apps, embedded: sizes.tasks, tasks: sizes.tasks };
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    throw new Error(`the master's answers are not the cluster written: ${JSON.stringify({ got, want })}`);
  }
}

async function json<T>(client: SerialClient, path: string): Promise<T> {
  const answer = await client.send('GET', path, undefined, true);
  if (answer.status !== 200) throw new Error(`GET ${path} answered ${answer.status}`);
  return JSON.parse(answer.text!) as T;
}

async function memoryOf(master: BenchMaster) {
  const metrics = (await master.http.expect<string>('GET', '/metrics/prometheus')).body;
  const metric = (name: string) => {
    const line = String(metrics)
      .split('\n')
      .find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
    return line ? Number(line.split(' ').pop()) : Number.NaN;
  };
  const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
  let peakKiB = Number.NaN;
  try {
    const status = readFileSync(`/proc/${master.process.pid}/status`, 'utf8');
    peakKiB = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]);
  } catch {
    // not Linux: the peak is left out
  }
  return {
    rssMiB: mib(metric('process_resident_memory_bytes')),
    peakRssMiB: mib(peakKiB * 1024),
    heapUsedMiB: mib(metric('nodejs_heap_size_used_bytes')),
    heapTotalMiB: mib(metric('nodejs_heap_size_total_bytes')),
  };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
