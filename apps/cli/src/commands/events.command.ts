import { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { MasterUnreachableError, ServerError, UsageError } from '../errors';
import { MasterClient } from '../http/master-client';
import { listenForInterrupt } from '../interrupt';
import { addJsonOption, addMasterOption, masterClient } from '../options';
import { ApiEvent, formatEventLine } from '../output/event-line';
import type { Output } from '../output/output';
import { addOfflineOptions, offlineConfig, withOfflineLog, type OfflineFlags } from './offline-source';

/** Events per GET /v1/events page: big enough to read a long log quickly, small enough to print smoothly. */
export const EVENTS_PAGE_LIMIT = 500;

interface TailOptions extends OfflineFlags {
  readonly master?: string;
  readonly json?: boolean;
  readonly from?: string;
  readonly follow?: boolean;
  readonly type: string[];
  readonly app: string[];
  readonly task: string[];
  readonly agent: string[];
}

/** The filters as query parameters, the same names as the flags (GET /v1/events). */
function filterQuery(opts: TailOptions): string {
  const params = new URLSearchParams();
  for (const name of ['type', 'app', 'task', 'agent'] as const) {
    if (opts[name].length > 0) params.set(name, opts[name].join(','));
  }
  const query = params.toString();
  return query ? `&${query}` : '';
}

interface EventsPage {
  readonly events: ApiEvent[];
  readonly next: number;
  readonly end: number;
}

/** `cairn events tail`: read the log through the master, page by page or as a live stream. */
export function registerEventsCommand(program: Command, ctx: CliContext, output: Output): void {
  const events = program.command('events').description('read the event log through the master (/v1/events)');
  addOfflineOptions(addJsonOption(addMasterOption(events.command('tail'))))
    .description(
      'print events from an offset or a time, filtered by type, app, task or agent; --follow keeps printing ' +
        'new ones until Ctrl-C. With --data-dir or --brokers it reads the log itself, with no master.',
    )
    .option('--from <offset|time>', 'first offset, or an ISO-8601 time (the first event stamped at or after it)')
    .option('--follow', 'stream new events as they are written, until Ctrl-C')
    .option('--type <types>', 'only these event types (comma list, repeatable), e.g. AppCreated,AppScaled', collect, [])
    .option('--app <ids>', 'only events about these apps, their tasks included (comma list, repeatable)', collect, [])
    .option('--task <ids>', 'only events about these tasks (comma list, repeatable)', collect, [])
    .option('--agent <ids>', 'only events about these agents (comma list, repeatable)', collect, [])
    .action(async (opts: TailOptions) => {
      // Checked here too, so a typo is exit 2 before anything is read (the master answers 400 as well).
      const { parseEventFilter, parseLogPosition, EventQueryError } = await import('@cairn/events');
      let filter;
      try {
        filter = parseEventFilter({ type: opts.type, app: opts.app, task: opts.task, agent: opts.agent });
        if (opts.from !== undefined) parseLogPosition(opts.from, '--from');
      } catch (error) {
        if (error instanceof EventQueryError) throw new UsageError(error.message);
        throw error;
      }
      const print = eventPrinter(output, opts);
      const offline = offlineConfig(ctx, opts);
      if (offline) {
        if (opts.follow)
          throw new UsageError('--follow needs a master: reading the log directly prints what it holds now');
        return withOfflineLog(ctx, offline, async (log) => {
          for await (const event of log.events(filter, opts.from)) await print(event as ApiEvent);
        });
      }
      const master = masterClient(opts.master, ctx.env);
      const from = encodeURIComponent(opts.from ?? '0');
      if (opts.follow) await followEvents(ctx, output, master, `from=${from}${filterQuery(opts)}`, print);
      else await pageEvents(master, from, filterQuery(opts), print);
    });
}

type Printer = (event: ApiEvent) => Promise<void>;

function eventPrinter(output: Output, opts: TailOptions): Printer {
  // The master filters; types are checked here too, so a master that ignores the filter (an older
  // release) cannot flood the output with what was not asked for.
  const types = new Set(opts.type);
  return async (event) => {
    if (types.size > 0 && !types.has(event.type)) return;
    const flushed = opts.json ? output.jsonLine(event) : output.line(formatEventLine(event));
    if (!flushed) await output.drained();
  };
}

/** Reads pages until the page's `next` reaches its `end` (the end offset when it was read). */
async function pageEvents(master: MasterClient, from: string, filter: string, print: Printer): Promise<void> {
  // The first page may start at a time; the master answers with offsets from then on.
  for (let offset: string | number = /^\d+$/.test(from) ? Number(from) : from; ;) {
    const path = `/v1/events?from=${offset}&limit=${EVENTS_PAGE_LIMIT}${filter}`;
    const page = checkPage(master.url(path), (await master.get<unknown>(path)).body);
    for (const event of page.events) await print(event);
    if (page.next >= page.end) return;
    if (typeof offset === 'number' && page.next <= offset) {
      throw new ServerError(
        { method: 'GET', url: master.url(path), status: 200 },
        `the event page made no progress (next ${page.next}, end ${page.end})`,
      );
    }
    offset = page.next;
  }
}

async function followEvents(ctx: CliContext, output: Output, master: MasterClient, query: string, print: Printer) {
  const path = `/v1/events?${query}&follow=true`;
  const interrupt = listenForInterrupt(ctx.io, output);
  let lastOffset: number | undefined;
  try {
    for await (const line of master.lines(path, interrupt.signal)) {
      const event = parseStreamedEvent(master.url(path), line);
      lastOffset = event.offset;
      await print(event);
    }
  } finally {
    interrupt.dispose();
  }
  if (interrupt.signal.aborted) return;
  const where = lastOffset === undefined ? 'before any event' : `after offset ${lastOffset}`;
  throw new MasterUnreachableError(master.url(path), `the master ended the event stream ${where}`);
}

function checkPage(url: string, body: unknown): EventsPage {
  const page = body as Partial<EventsPage> | undefined;
  if (!page || !Array.isArray(page.events) || typeof page.next !== 'number' || typeof page.end !== 'number') {
    throw new ServerError(
      { method: 'GET', url, status: 200 },
      'the answer is not an events page { events, next, end }',
    );
  }
  return page as EventsPage;
}

function parseStreamedEvent(url: string, line: string): ApiEvent {
  let event: unknown;
  try {
    event = JSON.parse(line);
  } catch (error) {
    throw new ServerError(
      { method: 'GET', url, status: 200 },
      `a streamed line is not JSON (${(error as Error).message})`,
    );
  }
  const candidate = event as Partial<ApiEvent> | null;
  if (typeof candidate?.offset !== 'number' || typeof candidate.type !== 'string') {
    throw new ServerError(
      { method: 'GET', url, status: 200 },
      `a streamed line is not an event: ${line.slice(0, 200)}`,
    );
  }
  return candidate as ApiEvent;
}

function collect(value: string, previous: string[]): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
  ];
}
