import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LaunchRateResult } from '../../apps/agent/src/executor/launch-rate';
import { type Benchmark, type BenchContext, sized } from '../core/bench-context';
import type { BenchResult } from '../core/bench-result';
import { compare, row, type Side, target } from '../core/compare';
import { median } from '../core/stats';
import { BenchAgent } from './bench-agent';
import { BenchMaster } from './bench-master';
import { killGroups, leftoverWrappers } from './leftover-wrappers';
import { LaunchTracker } from './launch-tracker';
import { readLogPages } from './log-pages';
import type { MasterHttp } from './master-http';
import type { RawLaunchRequest } from './raw-launch-child';
import { repoRoot } from '../core/repo-root';

const SIZES = {
  full: { tasks: 200, repetitions: 3, warmUp: true },
  smoke: { tasks: 10, repetitions: 1, warmUp: false },
};
/** Issue 4: real launches at least half the raw rate. */
const TARGET_RATIO = 0.5;
const TICK_MS = 50;
const TASK_COMMAND = 'sleep 60';
const AGENT_RESOURCES = 'cpus:64;mem:65536;disk:10000;ports:[31000-32000]';
const APP_ID = '/bench/real/sleep';
const APP_RESOURCES = { cpus: 0.1, mem: 16 };
const TOKEN = 'bench-launch-real';
const ALL_RUNNING_TIMEOUT_MS = 120_000;
/** Between repetitions: every task killed (SIGTERM ends sleep at once) and its wrapper gone. */
const ALL_GONE_TIMEOUT_MS = 60_000;
const POLL_INTERVAL_MS = 20;

/**
 * Real processes from one real agent: a compiled `cairn master` and one `cairn agent` on this
 * machine; an app of `sleep 60` scaled from 0 to N; from the scale command to the last task
 * recorded RUNNING in the log. Baseline, in the same run: measureLaunchRate's raw loop, which
 * spawns the identical `sh -c` wrapper (same argv, env, cwd, detached) for N tasks at once, up to
 * "spawn returned a pid".
 */
export const launchRealBenchmark: Benchmark = {
  name: 'launch-real',
  needsKafka: false,
  async run(ctx: BenchContext): Promise<BenchResult> {
    const sizes = sized(ctx, SIZES);
    const dataDir = ctx.dirs.make('launch-real');
    const agentWorkDir = ctx.dirs.make('launch-real-agent');
    const rawWorkDir = ctx.dirs.make('launch-real-raw');
    const ourDirs = [agentWorkDir, rawWorkDir];
    const executorRates: number[] = [];
    const phases: ReturnType<LaunchTracker['phasesMs']>[] = [];
    const rss = { agentMiB: 0, rawMiB: 0 };
    let failure: unknown;

    const master = await BenchMaster.start({ dataDir, agentToken: TOKEN, tickMs: TICK_MS, seed: 'bench-launch-real' });
    let agent: BenchAgent | undefined;
    try {
      agent = await BenchAgent.start({
        masterUrl: master.url,
        http: master.http,
        workDir: agentWorkDir,
        logDir: dataDir,
        agentToken: TOKEN,
        resources: AGENT_RESOURCES,
        hostname: 'bench-real',
      });
      await master.http.expect('POST', '/v2/apps', { id: APP_ID, cmd: TASK_COMMAND, ...APP_RESOURCES, instances: 0 });
      const running = agent;

      const subject: Side = {
        label: 'cairn master + one cairn agent',
        async run(rep) {
          const sample = await scaleUpOnce(master.http, sizes.tasks);
          if (rep >= 0) phases.push(sample.phasesMs);
          rss.agentMiB = rssMiB(running.process.pid);
          await scaleDownToZero(master.http, ourDirs);
          return sample;
        },
      };
      const baseline: Side = {
        label: 'raw spawn of the same sh -c wrapper (measureLaunchRate, in a fresh node process)',
        async run(rep) {
          const result = await rawLaunchInChild({
            tasks: sizes.tasks,
            workDir: rawWorkDir,
            prefix: `bench-raw-${ctx.runId}-${rep < 0 ? 'w' : rep}`,
            command: TASK_COMMAND,
          });
          rss.rawMiB = Math.round(result.rssBytes / 1024 ** 2);
          if (rep >= 0) executorRates.push(result.launchConcurrentPerSecond);
          return { ops: sizes.tasks, seconds: sizes.tasks / result.rawPerSecond };
        },
      };

      ctx.log(`launch-real: ${sizes.tasks} × \`${TASK_COMMAND}\` from one agent`);
      const comparison = await compare({ subject, baseline, repetitions: sizes.repetitions, warmUp: sizes.warmUp });
      return {
        name: 'launch-real',
        title: 'Launch to RUNNING, real processes',
        method:
          `a compiled \`cairn master\` (file log, CAIRN_TICK_MS ${TICK_MS}) and one \`cairn agent\` process; an app of ` +
          `\`${TASK_COMMAND}\` scaled from 0 to ${sizes.tasks} through PUT /v2/apps; time from the scale command to the ` +
          'last TaskStatusUpdated RUNNING (its `at`), then scaled back to 0 and every wrapper checked gone; vs ' +
          `measureLaunchRate's raw loop spawning the identical sh -c wrapper for ${sizes.tasks} tasks at once (same argv, ` +
          'env, cwd, detached, stdio) up to "spawn returned a pid", in the same run, ABBA',
        settings: {
          tasks: sizes.tasks,
          command: TASK_COMMAND,
          tickMs: TICK_MS,
          agentResources: AGENT_RESOURCES,
          repetitions: sizes.repetitions,
          warmUp: sizes.warmUp ? 'yes' : 'no',
        },
        rows: [
          row({
            case: `${sizes.tasks} × ${TASK_COMMAND}, one agent`,
            unit: 'tasks/s',
            comparison,
            targets: [target(`ratio ≥ ${TARGET_RATIO}`, !ctx.smoke, comparison.ratio >= TARGET_RATIO)],
            details: {
              cairnP50Ms: comparison.subject.p50Ms ?? 0,
              cairnP99Ms: comparison.subject.p99Ms ?? 0,
              executorAlonePerSecond: Math.round(median(executorRates)),
              scaleToFirstLaunchMs: median(phases.map((p) => p.toFirstLaunch)),
              firstToLastLaunchMs: median(phases.map((p) => p.launching)),
              lastLaunchToLastRunningMs: median(phases.map((p) => p.lastLaunchToLastRunning)),
              agentRssMiB: rss.agentMiB,
              rawSpawnerRssMiB: rss.rawMiB,
            },
          }),
        ],
        notes: [
          'The raw loop stops at "spawn returned"; Cairn stops when the master has the RUNNING in its log: the agent ' +
            'also makes the sandbox, reads the start time from /proc, checkpoints task.json and the status update ' +
            '(fsync), and the master decides, appends (fsync) and acks. executorAlonePerSecond is ProcessExecutor.launch ' +
            'of the same tasks at once, without agent or master (also from measureLaunchRate).',
          'spawn() costs a fork of its caller, in proportion to its memory (perf.md): the raw loop runs in a fresh ' +
            'node process of its own (rawSpawnerRssMiB), not in the benchmark process (whose size depends on what ran ' +
            'before), and the agent spawns from its own (agentRssMiB).',
        ],
      };
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      await cleanUp(agent, master, ourDirs, failure);
    }
  },
};

async function scaleUpOnce(http: MasterHttp, tasks: number) {
  const from = await http.endOffset();
  const startedMs = Date.now();
  await http.expect('PUT', `/v2/apps${APP_ID}?partialUpdate=true`, { instances: tasks });
  await until(async () => (await appCounts(http)).tasksRunning >= tasks, ALL_RUNNING_TIMEOUT_MS, `${tasks} RUNNING`);
  const tracker = new LaunchTracker(tasks);
  for (const event of await readLogPages(http, from, await http.endOffset())) tracker.accept(event);
  tracker.check();
  return {
    ops: tasks,
    seconds: (tracker.lastRunning().atMs - startedMs) / 1000,
    latenciesMs: tracker.latenciesMs(),
    phasesMs: tracker.phasesMs(),
  };
}

/** Scale to 0 and wait until the master has no task of the app and no wrapper of ours is alive. */
async function scaleDownToZero(http: MasterHttp, ourDirs: readonly string[]): Promise<void> {
  // The scale-up's deployment ends on the tick after its last RUNNING, and locks the app until
  // then (409 without force): wait for it, as a Marathon client does before its next change.
  await until(
    async () => (await http.expect<unknown[]>('GET', '/v2/deployments')).body.length === 0,
    ALL_GONE_TIMEOUT_MS,
    "the scale-up's deployment to end",
  );
  await http.expect('PUT', `/v2/apps${APP_ID}?partialUpdate=true`, { instances: 0 });
  await until(
    async () => {
      const counts = await appCounts(http);
      return counts.tasksRunning + counts.tasksStaged === 0 && leftoverWrappers(ourDirs).length === 0;
    },
    ALL_GONE_TIMEOUT_MS,
    'every task killed and its wrapper gone',
  );
}

async function appCounts(http: MasterHttp): Promise<{ tasksRunning: number; tasksStaged: number }> {
  return (await http.expect<{ app: { tasksRunning: number; tasksStaged: number } }>('GET', `/v2/apps${APP_ID}`)).body
    .app;
}

/**
 * SIGUSR1 to the agent (it kills its tasks), then the master stops; then no wrapper of ours may
 * be left (any found is SIGKILLed and fails the benchmark, unless it failed already).
 */
async function cleanUp(
  agent: BenchAgent | undefined,
  master: BenchMaster,
  ourDirs: readonly string[],
  failure: unknown,
): Promise<void> {
  const errors: unknown[] = [];
  if (agent) await agent.stopKillingTasks().catch((error: unknown) => errors.push(error));
  await master.stop().catch((error: unknown) => errors.push(error));
  const left = leftoverWrappers(ourDirs);
  if (left.length > 0) {
    killGroups(left.map((w) => w.pid));
    errors.push(
      new Error(`${left.length} task wrappers were left running (killed now): ${JSON.stringify(left.slice(0, 5))}`),
    );
  }
  if (errors.length > 0 && failure === undefined) throw errors[0];
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

/** measureLaunchRate in a fresh `node` process (raw-launch-child.ts, compiled): see there why. */
function rawLaunchInChild(request: RawLaunchRequest): Promise<LaunchRateResult & { rssBytes: number }> {
  const child = join(repoRoot(), 'dist', 'bench', 'agents', 'raw-launch-child.js');
  if (!existsSync(child)) throw new Error(`${child} is missing: run \`npm run build\` first (npm run bench does)`);
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [child, JSON.stringify(request)], { encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`the raw launch child failed: ${error.message}\n${stderr.slice(-2000)}`));
      else resolve(JSON.parse(stdout.trim()) as LaunchRateResult & { rssBytes: number });
    });
  });
}

function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : 0;
}
