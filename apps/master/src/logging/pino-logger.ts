import type { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';

/** The contexts Nest logs its bootstrap under (module init, route mapping, "started"). */
const NEST_STARTUP_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

/**
 * Nest's logger on pino: one JSON line per entry on stderr (stdout stays free for what the CLI
 * prints to a person). `CAIRN_LOG_LEVEL` sets the level (default info).
 */
export class PinoLogger implements LoggerService {
  readonly pino: Logger;

  constructor(
    level = process.env.CAIRN_LOG_LEVEL ?? 'info',
    destination: pino.DestinationStream = pino.destination({ fd: 2, sync: false }),
  ) {
    this.pino = pino({ level, base: { pid: process.pid } }, destination);
  }

  /** A string, or `{ msg, ...fields }`: the fields go into the JSON line as they are. */
  log(message: unknown, context?: string): void {
    if (isStructured(message)) {
      const { msg, ...fields } = message;
      this.pino.info({ context, ...fields }, msg);
      return;
    }
    // Nest's start-up chatter (a line per module and per route, ~40 in all) is detail for
    // debugging, not what an operator reads at start: `CAIRN_LOG_LEVEL=debug` shows it.
    if (context !== undefined && NEST_STARTUP_CONTEXTS.has(context)) this.pino.debug({ context }, String(message));
    else this.pino.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.pino.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.pino.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.pino.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.pino.trace({ context }, String(message));
  }
  flush(): void {
    this.pino.flush();
  }
}

function isStructured(message: unknown): message is { msg: string } & Record<string, unknown> {
  return typeof message === 'object' && message !== null && typeof (message as { msg?: unknown }).msg === 'string';
}
