import { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { MasterUnreachableError, ServerError } from '../errors';
import { MasterClient } from '../http/master-client';
import { listenForInterrupt } from '../interrupt';
import { addJsonOption, addMasterOption, parseNonNegativeInt, resolveMasterUrl } from '../options';
import { ApiEvent, formatEventLine } from '../output/event-line';
import type { Output } from '../output/output';

/** Events per GET /v1/events page: big enough to read a long log quickly, small enough to print smoothly. */
export const EVENTS_PAGE_LIMIT = 500;

interface TailOptions {
  readonly master?: string;
  readonly json?: boolean;
  readonly from: number;
  readonly follow?: boolean;
  readonly type: string[];
}

interface EventsPage {
  readonly events: ApiEvent[];
  readonly next: number;
  readonly end: number;
}

/** `cairn events tail`: read the log through the master, page by page or as a live stream. */
export function registerEventsCommand(program: Command, ctx: CliContext, output: Output): void {
  const events = program.command('events').description('read the event log through the master (/v1/events)');
  addJsonOption(addMasterOption(events.command('tail')))
    .description('print events from an offset; --follow keeps printing new ones until Ctrl-C')
    .option('--from <offset>', 'first offset to print', parseNonNegativeInt, 0)
    .option('--follow', 'stream new events as they are written, until Ctrl-C')
    .option(
      '--type <types>',
      'only these event types (comma list, repeatable), e.g. AppCreated,AppScaled',
      collectTypes,
      [],
    )
    .action(async (opts: TailOptions) => {
      const master = new MasterClient(resolveMasterUrl(opts.master, ctx.env));
      const print = eventPrinter(output, opts);
      if (opts.follow) await followEvents(ctx, output, master, opts.from, print);
      else await pageEvents(master, opts.from, print);
    });
}

type Printer = (event: ApiEvent) => Promise<void>;

function eventPrinter(output: Output, opts: TailOptions): Printer {
  const types = new Set(opts.type);
  return async (event) => {
    if (types.size > 0 && !types.has(event.type)) return;
    const flushed = opts.json ? output.jsonLine(event) : output.line(formatEventLine(event));
    if (!flushed) await output.drained();
  };
}

/** Reads pages until the page's `next` reaches its `end` (the end offset when it was read). */
async function pageEvents(master: MasterClient, from: number, print: Printer): Promise<void> {
  for (let offset = from; ;) {
    const path = `/v1/events?from=${offset}&limit=${EVENTS_PAGE_LIMIT}`;
    const page = checkPage(master.url(path), (await master.get<unknown>(path)).body);
    for (const event of page.events) await print(event);
    if (page.next >= page.end) return;
    if (page.next <= offset) {
      throw new ServerError(
        { method: 'GET', url: master.url(path), status: 200 },
        `the event page made no progress (next ${page.next}, end ${page.end})`,
      );
    }
    offset = page.next;
  }
}

async function followEvents(ctx: CliContext, output: Output, master: MasterClient, from: number, print: Printer) {
  const path = `/v1/events?from=${from}&follow=true`;
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

function collectTypes(value: string, previous: string[]): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
  ];
}
