import { type Benchmark, type BenchContext, sized } from '../core/bench-context';
import type { BenchResult } from '../core/bench-result';
import { compare, row, type Side } from '../core/compare';
import { median, secondsSince } from '../core/stats';
import { BenchMaster } from '../agents/bench-master';
import { readUntil, type StreamRead } from './stream-readers';
import { writeTaskLifecycleLog } from './task-lifecycle-log';

const SIZES = {
  full: { tasks: 20_000, clients: 10, repetitions: 3 },
  smoke: { tasks: 200, clients: 10, repetitions: 1 },
};

/**
 * GET /v2/events (Marathon SSE, rendered from the log) against GET /v1/events?follow=true (the
 * log's events as NDJSON), same master, same log, same clients: N concurrent clients each read
 * the whole log from its start to its last task event. Reading a backlog is the most a stream can
 * carry (a live stream carries what the leader writes, well below it), and is what a client
 * resuming with Last-Event-ID does.
 */
export const marathonEventsBenchmark: Benchmark = {
  name: 'marathon-events',
  needsKafka: false,
  async run(ctx: BenchContext): Promise<BenchResult> {
    const sizes = sized(ctx, SIZES);
    const dataDir = ctx.dirs.make('marathon-events');
    ctx.log(`marathon-events: writing ${sizes.tasks} task lifecycles`);
    const lastOffset = await writeTaskLifecycleLog(dataDir, sizes.tasks);
    const logEvents = lastOffset + 1;
    const master = await BenchMaster.start({
      dataDir,
      agentToken: 'bench-marathon-events',
      tickMs: 1000,
      seed: 'bench-me',
    });
    const frames: number[] = [];
    const bytes: Record<'sse' | 'ndjson', number[]> = { sse: [], ndjson: [] };
    try {
      const side = (kind: 'sse' | 'ndjson', label: string, path: string, headers: Record<string, string>): Side => ({
        label,
        run: async () => {
          const start = process.hrtime.bigint();
          const reads: StreamRead[] = await Promise.all(
            Array.from({ length: sizes.clients }, () => readUntil(master.url + path, kind, lastOffset, headers)),
          );
          const seconds = secondsSince(start);
          if (kind === 'sse') frames.push(median(reads.map((r) => r.items)));
          bytes[kind].push(median(reads.map((r) => r.bytes)));
          return { ops: logEvents * sizes.clients, seconds };
        },
      });
      const comparison = await compare({
        // Last-Event-ID 0: everything after the first event, as a resuming client gets it.
        subject: side('sse', `GET /v2/events (SSE), ${sizes.clients} clients`, '/v2/events', {
          accept: 'text/event-stream',
          'last-event-id': '0',
        }),
        baseline: side(
          'ndjson',
          `GET /v1/events?follow=true (NDJSON), ${sizes.clients} clients`,
          '/v1/events?follow=true&from=1',
          {},
        ),
        repetitions: sizes.repetitions,
        warmUp: !ctx.smoke,
      });
      return {
        name: 'marathon-events',
        title: 'Marathon event stream (/v2/events) beside the log stream (/v1/events)',
        method:
          `a compiled \`cairn master\` (file log) on a log of ${logEvents.toLocaleString('en-US')} events (` +
          `${sizes.tasks.toLocaleString('en-US')} task lifecycles: launch, STARTING, RUNNING, healthy, KILLED); ` +
          `${sizes.clients} concurrent clients each read it from the start to the last task event and parse every ` +
          'frame/line; events/s = log events delivered to all clients / wall time. Subject: /v2/events with ' +
          'Last-Event-ID 0 (render + SSE); baseline: /v1/events?follow=true&from=1 (decode + NDJSON)',
        settings: { tasks: sizes.tasks, logEvents, clients: sizes.clients, repetitions: sizes.repetitions },
        rows: [
          row({
            case: `${sizes.clients} clients, ${logEvents.toLocaleString('en-US')} log events each`,
            unit: 'log events/s',
            comparison,
            targets: [],
            details: {
              marathonFramesPerClient: median(frames),
              sseBytesPerClient: median(bytes.sse),
              ndjsonBytesPerClient: median(bytes.ndjson),
            },
          }),
        ],
        notes: [
          'A ratio of 1.0 would mean rendering Marathon events costs nothing over sending the decoded log; ' +
            'each task lifecycle renders to 9 Marathon events (instance_changed_event for the launch, ' +
            'status_update_event + instance_changed_event per status, health_status_changed_event + ' +
            'instance_health_changed_event for the health flip).',
          'The clients run in the benchmark process; their parsing is part of both sides.',
        ],
      };
    } finally {
      await master.stop();
    }
  },
};
