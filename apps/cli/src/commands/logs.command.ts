import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { ApiRefusedError, ServerError } from '../errors';
import { MasterClient } from '../http/master-client';
import { Interrupt, listenForInterrupt } from '../interrupt';
import { addMasterOption, parseNonNegativeInt, masterClient } from '../options';
import { asFileChunk, FileChunk, printableChunk } from '../output/log-chunk';
import type { Output } from '../output/output';

/** Bytes asked for per read: the master and the agent cap a read at 1 MiB (as Mesos's /files/read). */
export const LOGS_READ_MAX_BYTES = 1024 * 1024;
/** Pause between reads once `--follow` has caught up with the end of the file. */
export const LOGS_POLL_INTERVAL_MS = 500;

const HTTP_NOT_FOUND = 404;
/** The master answers 409 while the task's agent is not connected: its files cannot be read now. */
const HTTP_CONFLICT = 409;

interface LogsOptions {
  readonly master?: string;
  readonly stderr?: boolean;
  readonly follow?: boolean;
  readonly tail?: number;
}

type SandboxFile = 'stdout' | 'stderr';

/**
 * `cairn logs TASK_ID`: prints a task's stdout (or stderr) through the master's proxy to its
 * agent, `GET /v1/tasks/{id}/files/{file}?offset=&length=` (Mesos's /files/read: `offset=-1`
 * answers the size). Without --follow it prints the file as it was when the command started.
 */
export function registerLogsCommand(program: Command, ctx: CliContext, output: Output): void {
  addMasterOption(program.command('logs'))
    .description("print a task's stdout (or --stderr); --follow keeps printing new output until Ctrl-C")
    .argument('<task-id>', 'task id, as `cairn tasks` lists it')
    .option('--stderr', 'print stderr instead of stdout')
    .option(
      '--tail <bytes>',
      'start this many bytes before the end of the file (default: its start)',
      parseNonNegativeInt,
    )
    .option('--follow', 'keep printing what the task writes until Ctrl-C or until the task is gone')
    .action(async (taskId: string, opts: LogsOptions) => {
      const file = new SandboxFileReader(masterClient(opts.master, ctx.env), taskId, opts.stderr ? 'stderr' : 'stdout');
      const print = async (text: string) => {
        if (text === '') return;
        output.writeOut(text);
        await output.drained();
      };
      if (opts.follow) await followFile(ctx, output, file, opts.tail, print);
      else await printFile(file, opts.tail, print);
    });
}

type Printer = (text: string) => Promise<void>;

/** Reads one task's sandbox file through the master. Every failure leaves as a typed CLI error. */
class SandboxFileReader {
  constructor(
    private readonly master: MasterClient,
    readonly taskId: string,
    readonly file: SandboxFile,
  ) {}

  /** The file's size in bytes now (Mesos: offset -1 answers it as `offset`). */
  async size(): Promise<number> {
    return (await this.read(-1, 0)).offset;
  }

  async read(offset: number, length: number): Promise<FileChunk> {
    const path = `/v1/tasks/${encodeURIComponent(this.taskId)}/files/${this.file}?offset=${offset}&length=${length}`;
    const reply = await this.master.get<unknown>(path);
    const chunk = asFileChunk(reply.body);
    if (!chunk || (offset === -1 && chunk.offset < 0)) {
      throw new ServerError(
        { method: 'GET', url: this.master.url(path), status: reply.status },
        'the answer is not a file chunk { data, offset }',
      );
    }
    return chunk;
  }
}

/** Where the first read starts: the file's start, or `--tail` bytes before its end. */
function startOffset(size: number, tailBytes: number | undefined): number {
  return tailBytes === undefined ? 0 : Math.max(0, size - tailBytes);
}

/** Prints [start, size at the start]: output written meanwhile is left for --follow. */
async function printFile(file: SandboxFileReader, tailBytes: number | undefined, print: Printer): Promise<void> {
  const end = await file.size();
  let offset = startOffset(end, tailBytes);
  let startsMidCharacter = offset > 0;
  while (offset < end) {
    const chunk = printableChunk(await file.read(offset, Math.min(LOGS_READ_MAX_BYTES, end - offset)), {
      startsMidCharacter,
    });
    startsMidCharacter = false;
    // No progress: only a character still being written is left (the agent never splits one).
    if (chunk.nextOffset <= offset) return;
    await print(chunk.text);
    offset = chunk.nextOffset;
  }
}

/**
 * Reads from the start (or --tail) on, a full page after another, then every
 * LOGS_POLL_INTERVAL_MS. Once a read has succeeded, 404 means the task ended (the master drops
 * terminal tasks): a note, exit 0; 409 means its agent is away: a note, and polling goes on.
 * Before that, both are refusals (exit 1), like any 4xx.
 */
async function followFile(
  ctx: CliContext,
  output: Output,
  file: SandboxFileReader,
  tailBytes: number | undefined,
  print: Printer,
): Promise<void> {
  const interrupt = listenForInterrupt(ctx.io, output);
  try {
    let offset = 0;
    if (tailBytes !== undefined) {
      const size = await unlessStopped(file.size(), interrupt);
      if (size === undefined) return;
      offset = startOffset(size, tailBytes);
    }
    let startsMidCharacter = offset > 0;
    let readOnce = false;
    let agentAway = false;
    while (!interrupt.signal.aborted) {
      let answer: FileChunk | undefined;
      try {
        answer = await unlessStopped(file.read(offset, LOGS_READ_MAX_BYTES), interrupt);
      } catch (error) {
        if (!readOnce || !(error instanceof ApiRefusedError)) throw error;
        if (error.request.status === HTTP_NOT_FOUND) {
          output.note(`task '${file.taskId}' is gone (${error.apiMessage}): stopped following its ${file.file}`);
          return;
        }
        if (error.request.status !== HTTP_CONFLICT) throw error;
        if (!agentAway) output.note(`${error.apiMessage}: waiting for its agent to come back`);
        agentAway = true;
        await pause(interrupt);
        continue;
      }
      if (answer === undefined) return;
      readOnce = true;
      agentAway = false;
      const chunk = printableChunk(answer, { startsMidCharacter });
      startsMidCharacter = false;
      await print(chunk.text);
      const pageWasFull = chunk.nextOffset - offset >= LOGS_READ_MAX_BYTES;
      offset = Math.max(offset, chunk.nextOffset);
      if (!pageWasFull) await pause(interrupt);
    }
  } finally {
    interrupt.dispose();
  }
}

/** The request's answer, or undefined when Ctrl-C comes first (the request is abandoned). */
function unlessStopped<T>(request: Promise<T>, interrupt: Interrupt): Promise<T | undefined> {
  // An abandoned request may still fail later: that must not become an unhandled rejection.
  request.catch(() => undefined);
  return Promise.race([request, interrupt.stopped.then(() => undefined)]);
}

async function pause(interrupt: Interrupt): Promise<void> {
  await sleep(LOGS_POLL_INTERVAL_MS, undefined, { signal: interrupt.signal }).catch(() => undefined);
}
