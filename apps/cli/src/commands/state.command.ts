import { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { UsageError } from '../errors';
import { addJsonOption, addMasterOption, masterClient } from '../options';
import type { Output } from '../output/output';
import { addOfflineOptions, offlineConfig, replayProgress, withOfflineLog, type OfflineFlags } from './offline-source';

interface StateFlags extends OfflineFlags {
  readonly master?: string;
  readonly json?: boolean;
  readonly at?: string;
}

type Json = Record<string, unknown>;

/**
 * `cairn state [--at OFFSET|TIME]`: the whole cluster as it was then (GET /v1/state?at=, or the
 * log read directly with --data-dir / --brokers); `cairn state diff A [B]`: what changed, in words.
 */
export function registerStateCommand(program: Command, ctx: CliContext, output: Output): void {
  const state = addOfflineOptions(addJsonOption(addMasterOption(program.command('state'))))
    .description(
      'the whole cluster (apps, tasks, agents, deployments, queue, health) now or as it was at an offset or time; ' +
        'with --data-dir or --brokers it replays the log itself, with no master',
    )
    .option(
      '--at <offset|time>',
      'an offset, or an ISO-8601 time: the state after the last event stamped at or before it',
    )
    .action(async (flags: StateFlags) => {
      const view = await stateAt(ctx, output, flags);
      if (flags.json) return output.json(view);
      printState(output, view);
    });

  addOfflineOptions(addJsonOption(addMasterOption(state.command('diff'))))
    .description('what changed between two points of the log (offsets or ISO-8601 times; B defaults to now), in words')
    .argument('<from>', 'the earlier point: an offset or a time')
    .argument('[to]', 'the later point: an offset or a time (default: the end of the log)')
    .action(async (from: string, to: string | undefined, flags: StateFlags) => {
      const diff = await stateDiff(ctx, output, flags, from, to);
      if (flags.json) return output.json(diff);
      printDiff(output, diff);
    });
}

async function checkedPosition(raw: string, name: string) {
  const { parseLogPosition, EventQueryError } = await import('@cairn/events');
  try {
    return parseLogPosition(raw, name);
  } catch (error) {
    if (error instanceof EventQueryError) throw new UsageError(error.message);
    throw error;
  }
}

async function stateAt(ctx: CliContext, output: Output, flags: StateFlags): Promise<Json> {
  const at = flags.at === undefined ? null : await checkedPosition(flags.at, '--at');
  const offline = offlineConfig(ctx, flags);
  if (!offline) {
    const master = masterClient(flags.master, ctx.env);
    const query = flags.at === undefined ? '' : `?at=${encodeURIComponent(flags.at)}`;
    return (await master.get<Json>(`/v1/state${query}`)).body;
  }
  return withOfflineLog(ctx, offline, async (log) => {
    const progress = replayProgress(ctx);
    try {
      const position = at ?? { offset: (await log.log.endOffset()) - 1 };
      return await refusedAsUsage(() => log.history({ onProgress: progress.onProgress }).stateAt(position));
    } finally {
      progress.done();
    }
  });
}

async function stateDiff(
  ctx: CliContext,
  output: Output,
  flags: StateFlags,
  fromRaw: string,
  toRaw?: string,
): Promise<Json> {
  const from = await checkedPosition(fromRaw, 'from');
  const to = toRaw === undefined ? null : await checkedPosition(toRaw, 'to');
  const offline = offlineConfig(ctx, flags);
  if (!offline) {
    const master = masterClient(flags.master, ctx.env);
    const query = `from=${encodeURIComponent(fromRaw)}${toRaw === undefined ? '' : `&to=${encodeURIComponent(toRaw)}`}`;
    return (await master.get<Json>(`/v1/state/diff?${query}`)).body;
  }
  return withOfflineLog(ctx, offline, async (log) => {
    const progress = replayProgress(ctx);
    try {
      const end = { offset: (await log.log.endOffset()) - 1 };
      const diff = await refusedAsUsage(() => log.history({ onProgress: progress.onProgress }).diff(from, to ?? end));
      return diff as unknown as Json;
    } finally {
      progress.done();
    }
  });
}

/** A point the log cannot answer for (past its end, in the wrong order) is the user's to fix: exit 2. */
async function refusedAsUsage<T>(work: () => Promise<T>): Promise<T> {
  const { EventQueryError } = await import('@cairn/events');
  try {
    return await work();
  } catch (error) {
    if (error instanceof EventQueryError) throw new UsageError(error.message);
    throw error;
  }
}

function printState(output: Output, view: Json): void {
  const replay = record(view.replay);
  output.fields([
    ['STATE AT', `offset ${text(view.offset)} (${text(view.at)})`],
    ['HASH', text(view.hash)],
    ...(view.replay
      ? [
          [
            'REPLAYED',
            (replay.snapshotOffset === null
              ? 'from the first event'
              : `from the snapshot at offset ${text(replay.snapshotOffset)}`) +
              `, ${text(replay.replayedEvents)} events`,
          ] as [string, string],
        ]
      : []),
  ]);
  const apps = list(view.apps);
  output.line(`\nAPPS (${apps.length})`);
  output.table(
    ['ID', 'INSTANCES', 'STAGED', 'RUNNING', 'HEALTHY', 'UNHEALTHY', 'VERSION'],
    apps.map((a) =>
      [a.id, a.instances, a.tasksStaged, a.tasksRunning, a.tasksHealthy, a.tasksUnhealthy, a.version].map(text),
    ),
  );
  const tasks = list(view.tasks);
  output.line(`\nTASKS (${tasks.length})`);
  output.table(
    ['ID', 'APP', 'HOST', 'STATE', 'HEALTH'],
    tasks.map((t) => [t.id, t.appId, t.host, t.state, healthOf(t)].map(text)),
  );
  const agents = list(view.agents);
  output.line(`\nAGENTS (${agents.length})`);
  output.table(
    ['ID', 'HOSTNAME', 'STATUS', 'SINCE'],
    agents.map((a) => [a.agentId, a.hostname, a.status, a.since].map(text)),
  );
  const deployments = list(view.deployments);
  output.line(`\nDEPLOYMENTS (${deployments.length})`);
  output.table(
    ['ID', 'APPS', 'STEP'],
    deployments.map((d) =>
      [d.id, list(d.affectedApps as unknown).join(','), `${text(d.currentStep)}/${text(d.totalSteps)}`].map(text),
    ),
  );
  const queue = list(view.queue);
  output.line(`\nQUEUE (${queue.length})`);
  output.table(
    ['APP', 'WAITING', 'DELAYED UNTIL', 'WHY'],
    queue.map((q) =>
      [
        q.appId,
        q.count,
        q.delayedUntil,
        list(q.reasons)
          .map((r) => r.reason)
          .join('; '),
      ].map(text),
    ),
  );
}

function printDiff(output: Output, diff: Json): void {
  const from = record(diff.from);
  const to = record(diff.to);
  output.line(
    `from offset ${text(from.offset)} (${text(from.at)}) to offset ${text(to.offset)} (${text(to.at)}): ${text(diff.events)} events`,
  );
  const changes = list(diff.changes);
  if (changes.length === 0) output.line('no change');
  for (const change of changes) output.line(`- ${text(change.text)}`);
}

function healthOf(task: Json): string {
  const results = list(task.healthCheckResults);
  if (results.length === 0) return '-';
  return results.every((r) => r.alive === true) ? 'healthy' : 'unhealthy';
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? (value as Json[]) : [];
}

function record(value: unknown): Json {
  return typeof value === 'object' && value !== null ? (value as Json) : {};
}

function text(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
