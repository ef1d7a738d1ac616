import type { Clock } from '@cairn/common';
import type { Logger } from 'pino';
import { AgentTokenRefusedError } from '../agent-errors';
import type { MasterClient, Registration } from '../master/master-client';
import type { RegisterRequest } from '../protocol/agent-protocol';
import { backoffDelayMs, RECONNECT_BACKOFF, type BackoffPolicy } from './backoff';

/** The master pings every few seconds; this much silence means the connection is dead. */
export const DEFAULT_STREAM_IDLE_TIMEOUT_MS = 20_000;

export interface AgentSessionOptions {
  masters: readonly string[];
  client: MasterClient;
  clock: Clock;
  logger: Logger;
  random: () => number;
  backoff?: BackoffPolicy;
  streamIdleTimeoutMs?: number;
  /** Built afresh for each attempt: the task list changes between reconnects. */
  registration(): RegisterRequest;
  /** Registered: checkpoint the id, reconcile, start sending updates. Awaited before the stream opens. */
  onRegistered(registration: Registration): Promise<void>;
  /** The stream broke (or registration failed): stop sending updates until the next registration. */
  onDisconnected(): void;
  onLine(line: string): void;
  /** The master refused the token: the session is over. */
  onFatal(error: Error): void;
}

/**
 * The agent's link to the leader: register, hold the command stream, and when it breaks
 * re-register with backoff, trying the master URLs in turn (docs/agent-protocol.md §2). A master
 * that answered keeps being asked first; one that failed hands over to the next URL.
 */
export class AgentSession {
  private stopped = false;
  private loop?: Promise<void>;
  private stream?: { close(): void };
  private wake?: () => void;
  private readonly abort = new AbortController();

  constructor(private readonly options: AgentSessionOptions) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Closes the stream and ends the loop; resolves once it has. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    this.stream?.close();
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { masters, logger } = this.options;
    let index = 0;
    let failures = 0;
    let failed = false;
    while (!this.stopped) {
      const masterUrl = masters[index % masters.length];
      try {
        const registration = await this.options.client.register(
          masterUrl,
          this.options.registration(),
          this.abort.signal,
        );
        if (this.stopped) break;
        await this.options.onRegistered(registration);
        if (this.stopped) break;
        const stream = this.options.client.openCommandStream(registration.masterUrl, registration.answer.agentId, {
          idleTimeoutMs: this.options.streamIdleTimeoutMs ?? DEFAULT_STREAM_IDLE_TIMEOUT_MS,
          onLine: (line) => {
            // Answered at once, from here: the master drops a stream whose agent stays silent.
            if (isPing(line)) void this.options.client.pong(registration.masterUrl, registration.answer.agentId);
            this.options.onLine(line);
          },
        });
        this.stream = stream;
        if (this.stopped) stream.close();
        await stream.opened;
        failures = 0; // connected: the next break starts the backoff from the beginning
        logger.info({ master: registration.masterUrl }, 'command stream open');
        const end = await stream.ended;
        if (!this.stopped) logger.warn({ master: registration.masterUrl, end }, 'command stream ended; reconnecting');
      } catch (error) {
        if (error instanceof AgentTokenRefusedError) {
          this.options.onDisconnected();
          this.options.onFatal(error);
          return;
        }
        if (!this.stopped) logger.warn({ master: masterUrl, err: errorText(error) }, 'cannot reach the master');
        index++;
        failed = true;
      } finally {
        this.stream = undefined;
      }
      this.options.onDisconnected();
      if (this.stopped) break;
      // A failover: the others of the --master list are tried at once (a standby answers 503 at
      // once, a dead master refuses at once); the backoff applies between whole rounds of the list.
      if (failed && index % masters.length !== 0) {
        failed = false;
        continue;
      }
      failed = false;
      failures++;
      await this.sleep(backoffDelayMs(this.options.backoff ?? RECONNECT_BACKOFF, failures, this.options.random));
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const cancel = this.options.clock.setTimer(ms, () => {
        this.wake = undefined;
        resolve();
      });
      this.wake = () => {
        cancel();
        this.wake = undefined;
        resolve();
      };
    });
  }
}

function isPing(line: string): boolean {
  if (line.length > 64) return false;
  try {
    return (JSON.parse(line) as { type?: unknown }).type === 'ping';
  } catch {
    return false;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
