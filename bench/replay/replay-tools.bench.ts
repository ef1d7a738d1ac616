import { SeededRandom } from '@cairn/common';
import { FileEventLog, FileSnapshotStore, NodeFs, type ReadOptions } from '@cairn/eventlog';
import { readEvents } from '../../apps/master/src/core/event-stream';
import type { ProjectionRunner } from '../../apps/master/src/core/projection-runner';
import { SubjectIndex } from '../../apps/master/src/core/subject-index';
import { History } from '../../apps/master/src/replay/history';
import { replayTo } from '../../apps/master/src/replay/state-at';
import { explain } from '../../apps/master/src/replay/why';
import { type Benchmark, type BenchContext, sized } from '../core/bench-context';
import type { BenchResult } from '../core/bench-result';
import { compare, row, type Side, target } from '../core/compare';
import { heapUsedAfterGc } from '../core/heap';
import { replayThroughProjection } from '../core/replay-through-projection';
import { expectCount, median, millisSince, roundSeconds as round, secondsSince } from '../core/stats';
import { SCALE_RUN_SHAPES, scaleRunLog, scaleRunSettings } from '../fixtures/scale-run-log';
import { RecordingEventLog } from './recording-event-log';

interface Sizes {
  /** Random offsets `state --at` is asked for. */
  readonly stateAtOffsets: number;
  /** Tasks `why` is asked about, half ended, half live (from the generator's samples). */
  readonly whyTasks: number;
  readonly repetitions: number;
}
const SIZES: { full: Sizes; smoke: Sizes } = {
  full: { stateAtOffsets: 50, whyTasks: 200, repetitions: 2 },
  smoke: { stateAtOffsets: 10, whyTasks: 40, repetitions: 1 },
};
/** Queries each side answers unmeasured first (JIT, page cache). */
const WARM_UP_QUERIES = 3;
/** The targets. */
const STATE_AT_P99_MS = 1_000;
const WHY_P99_MS = 100;

/**
 * Replay as a tool on the scale-run log (file log + snapshots, as a master leaves them), offline as
 * the CLI runs it: `state --at` (History.stateAt, not paced) against the same replay without the
 * view and hash; `why task` (explain with the index a master keeps) against reading the very
 * records it read; and what the subject index costs a replay, in time and memory.
 */
export const replayToolsBenchmark: Benchmark = {
  name: 'replay-tools',
  needsKafka: false,
  async run(ctx: BenchContext): Promise<BenchResult> {
    const { stateAtOffsets, whyTasks, repetitions } = sized(ctx, SIZES);
    const scaleRun = await scaleRunLog({
      shape: sized(ctx, SCALE_RUN_SHAPES),
      cache: !ctx.smoke,
      scratchDir: () => ctx.dirs.make('replay-tools'),
      log: ctx.log,
    });
    const events = scaleRun.summary.events;
    const log = new FileEventLog({ dir: scaleRun.logDir, readOnly: true });
    // Reads only: `keep` matters to writes alone, so every stored snapshot is a candidate.
    const snapshots = new FileSnapshotStore(new NodeFs(), scaleRun.snapshotsDir);
    await log.open();
    try {
      ctx.log('replay-tools: replay with and without the subject index');
      let indexed: ProjectionRunner | null = null;
      const withIndex: Side = {
        label: 'readEvents → ProjectionRunner({ subjects: true })',
        async run(rep) {
          const start = process.hrtime.bigint();
          const projection = await replayThroughProjection(log, undefined, { subjects: true });
          const seconds = secondsSince(start);
          expectCount('replay with the subject index', projection.eventsApplied, events);
          if (rep >= 0) indexed = projection;
          return { ops: events, seconds };
        },
      };
      const withoutIndex: Side = {
        label: 'readEvents → ProjectionRunner()',
        async run() {
          const start = process.hrtime.bigint();
          const projection = await replayThroughProjection(log);
          const seconds = secondsSince(start);
          expectCount('replay without the subject index', projection.eventsApplied, events);
          return { ops: events, seconds };
        },
      };
      const indexCost = await compare({ subject: withIndex, baseline: withoutIndex, repetitions, warmUp: true });
      const indexBytes = await subjectIndexBytes(log);

      ctx.log(`replay-tools: state --at at ${stateAtOffsets} random offsets`);
      const random = new SeededRandom('replay-tools');
      const offsets = Array.from({ length: stateAtOffsets }, () => Math.floor(random.next() * events));
      const history = new History(log, snapshots, { paced: false });
      const replayed: number[] = [];
      const stateAt: Side = {
        label: 'History.stateAt({ offset }) (snapshot, replay, view, hash)',
        async run(rep) {
          return timeEach(rep < 0 ? offsets.slice(0, WARM_UP_QUERIES) : offsets, async (offset) => {
            const view = await history.stateAt({ offset });
            if (rep >= 0) replayed.push(Number(view.replay.replayedEvents));
          });
        },
      };
      const replayOnly: Side = {
        label: 'replayTo(offset) from the same snapshot, no view or hash',
        async run(rep) {
          return timeEach(rep < 0 ? offsets.slice(0, WARM_UP_QUERIES) : offsets, async (offset) => {
            await replayTo(log, offset, { snapshots });
          });
        },
      };
      const stateAtCmp = await compare({ subject: stateAt, baseline: replayOnly, repetitions, warmUp: true });

      const projection = indexed as ProjectionRunner | null;
      if (!projection?.subjects) throw new Error('no indexed replay to answer why from');
      const { endedTaskSample, liveTaskSample } = scaleRun.summary;
      const taskIds = [...endedTaskSample.slice(0, whyTasks / 2), ...liveTaskSample.slice(0, whyTasks / 2)];
      ctx.log(`replay-tools: why on ${taskIds.length} tasks`);
      const recording = new RecordingEventLog(log);
      const sources = { log: recording, index: projection.subjects, state: projection.state };
      const readsOf = new Map<string, ReadOptions[]>();
      const why: Side = {
        label: "explain('task', id) with the master's subject index",
        async run() {
          return timeEach(taskIds, async (taskId) => {
            await explain('task', taskId, sources);
            readsOf.set(taskId, recording.takeRanges());
          });
        },
      };
      const sameReads: Side = {
        label: 'the same ranges through readEvents (decode only)',
        async run() {
          return timeEach(taskIds, async (taskId) => {
            const ranges = readsOf.get(taskId);
            if (!ranges) throw new Error(`why on ${taskId} has not run yet: nothing to read`);
            for (const range of ranges) for await (const batch of readEvents(log, range)) void batch;
          });
        },
      };
      // The warm-up runs `why` first: it records what each answer reads, which the baseline then reads.
      const whyCmp = await compare({ subject: why, baseline: sameReads, repetitions, warmUp: true });
      const rangesPerAnswer = median([...readsOf.values()].map((r) => r.length));

      return {
        name: 'replay-tools',
        title: 'Replay as a tool (state --at, why, subject index)',
        method:
          'offline, as the CLI with --data-dir: a read-only FileEventLog + FileSnapshotStore of the scale-run log. state --at: ' +
          'History.stateAt (paced: false) vs replayTo from the same snapshot without view or hash; why: explain(task) with ' +
          'the subject index of a full replay vs reading the very ranges it read; index: a full replay with vs without it',
        settings: {
          ...scaleRunSettings(scaleRun),
          snapshotEvery: scaleRun.shape.snapshotEvery,
          snapshotsStored: scaleRun.summary.snapshotOffsets.length,
          stateAtOffsets,
          whyTasks: `${Math.min(whyTasks / 2, endedTaskSample.length)} ended + ${Math.min(whyTasks / 2, liveTaskSample.length)} live`,
          repetitions,
        },
        rows: [
          row({
            case: 'state --at a random offset',
            unit: 'queries/s',
            comparison: stateAtCmp,
            targets: [target(`p99 < ${STATE_AT_P99_MS} ms`, !ctx.smoke, stateAtCmp.subject.p99Ms! < STATE_AT_P99_MS)],
            details: {
              cairnP50Ms: round(stateAtCmp.subject.p50Ms!),
              cairnP99Ms: round(stateAtCmp.subject.p99Ms!),
              baselineP99Ms: round(stateAtCmp.baseline.p99Ms!),
              medianEventsReplayed: median(replayed),
              maxEventsReplayed: Math.max(...replayed),
            },
          }),
          row({
            case: 'why task (ended and live)',
            unit: 'queries/s',
            comparison: whyCmp,
            targets: [target(`p99 < ${WHY_P99_MS} ms`, !ctx.smoke, whyCmp.subject.p99Ms! < WHY_P99_MS)],
            details: {
              cairnP50Ms: round(whyCmp.subject.p50Ms!),
              cairnP99Ms: round(whyCmp.subject.p99Ms!),
              baselineP99Ms: round(whyCmp.baseline.p99Ms!),
              medianRangesReadPerAnswer: rangesPerAnswer,
            },
          }),
          row({
            case: 'full replay with the subject index',
            unit: 'events/s',
            comparison: indexCost,
            details: {
              cairnSeconds: round(indexCost.subject.seconds),
              baselineSeconds: round(indexCost.baseline.seconds),
              subjectIndexMiB: round(indexBytes / 2 ** 20),
              subjectIndexBytesPerEvent: Math.round(indexBytes / events),
            },
          }),
        ],
        notes: [
          `p99 is by nearest rank: over ${stateAtOffsets} state --at queries it is the slowest one; ` +
            `every snapshot of the log is kept (a master keeps CAIRN_SNAPSHOTS_KEPT, 3 by default: an offset before the ` +
            `oldest kept one replays from the first event, as fast as a start-up replay)`,
        ],
      };
    } finally {
      await log.close();
      await snapshots.close();
    }
  },
};

/** Runs `query` for each item in turn, timing each: one sample of `items.length` operations. */
async function timeEach<T>(items: readonly T[], query: (item: T) => Promise<void>) {
  const latenciesMs: number[] = [];
  const start = process.hrtime.bigint();
  for (const item of items) {
    const itemStart = process.hrtime.bigint();
    await query(item);
    latenciesMs.push(millisSince(itemStart));
  }
  return { ops: items.length, seconds: secondsSince(start), latenciesMs };
}

/**
 * The heap a SubjectIndex of the whole log holds: built alone from the decoded events (dropped as
 * it goes), measured after a full collection before and after.
 */
async function subjectIndexBytes(log: FileEventLog): Promise<number> {
  const before = heapUsedAfterGc();
  const index = new SubjectIndex();
  for await (const batch of readEvents(log, { from: 0 })) for (const event of batch) index.observe(event);
  const after = heapUsedAfterGc();
  if (index.coversFrom === null) throw new Error('the subject index saw no event');
  return after - before;
}
