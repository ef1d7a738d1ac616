import { ExitCode } from './exit-codes';

/**
 * An expected failure: it knows its exit code and the lines an operator reads on stderr.
 * Anything else that escapes a command is a bug and is reported as one (see cli.ts).
 */
export abstract class CliError extends Error {
  abstract readonly exitCode: ExitCode;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }

  /** Lines for stderr, the first being the summary. */
  lines(): string[] {
    return [this.message];
  }
}

/** Bad arguments, unreadable input or bad configuration: the user can fix it and retry. */
export class UsageError extends CliError {
  readonly exitCode = ExitCode.Usage;
}

/** The API answered 4xx. `details` is already formatted, one entry per line (`/cpus: error.min`). */
export class ApiRefusedError extends CliError {
  readonly exitCode = ExitCode.Refused;

  constructor(
    readonly request: { method: string; url: string; status: number },
    readonly apiMessage: string,
    readonly details: string[],
  ) {
    super(`${apiMessage} (HTTP ${request.status} from ${request.method} ${request.url})`);
  }

  override lines(): string[] {
    return [this.message, ...this.details.map((d) => `  ${d}`)];
  }
}

/**
 * What the command is to act on does not exist, learnt from the master's answer to another
 * request (a task id missing from /v2/tasks). Exit 1, as the API's own 404 would be.
 */
export class NotFoundError extends CliError {
  readonly exitCode = ExitCode.Refused;
}

/** No usable answer from the master at all: nothing reached it, or it never replied. */
export class MasterUnreachableError extends CliError {
  readonly exitCode = ExitCode.Unreachable;

  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`cannot reach the master at ${url}: ${reason}`);
  }

  override lines(): string[] {
    return [this.message, MASTER_URL_HINT];
  }
}

/** Where the CLI's master URL comes from, for every "cannot reach" error. */
export const MASTER_URL_HINT =
  'the master URL is --master, else CAIRN_MASTER, else http://127.0.0.1:$CAIRN_PORT, else http://127.0.0.1:8080';

/** The master answered 5xx (or something no client can use). */
export class ServerError extends CliError {
  readonly exitCode = ExitCode.ServerError;

  constructor(
    readonly request: { method: string; url: string; status: number },
    readonly apiMessage: string,
    readonly retryAfter?: string,
  ) {
    super(`the master failed: ${apiMessage} (HTTP ${request.status} from ${request.method} ${request.url})`);
  }

  override lines(): string[] {
    if (this.retryAfter === undefined) return [this.message];
    // Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3).
    const unit = /^\d+$/.test(this.retryAfter) ? ' seconds' : '';
    return [this.message, `  Retry-After: ${this.retryAfter}${unit}`];
  }
}

/** A command that runs locally (master, replay) failed for a reason the operator must read. */
export class LocalFailureError extends CliError {
  readonly exitCode = ExitCode.LocalFailure;
}

/** The message of anything thrown (duck-typed: errors from another realm fail instanceof Error). */
export function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}
