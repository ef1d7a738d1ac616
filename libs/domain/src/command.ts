import type { EventData, EventType } from '@cairn/events';

/**
 * What every command carries besides its payload: the decision time and who asked. Time rides
 * on the command (DESIGN.md, "Built to be simulated"): decide never reads a clock.
 */
export interface CommandMeta {
  /** Decision time, ms since the epoch, from the injected clock. */
  readonly now: number;
  /** A user or token name, an agent id, or `system`. */
  readonly actor: string;
  /** The id of this command; becomes the causationId of the events it produces. */
  readonly commandId: string;
  /** The user command that started the chain (this one, unless it was caused by another). */
  readonly correlationId: string;
  /** Where a user's command came from (recorded in the deployment it starts); null for system and agents. */
  readonly origin?: RequestOrigin | null;
}

/** The HTTP request behind a user command: recorded at decision time (the log can never be amended). */
export interface RequestOrigin {
  readonly remoteAddress: string | null;
  readonly method: string;
  readonly path: string;
  readonly requestId: string;
}

/** An event as `decide` returns it: the sequencer wraps it in an envelope (id, at, actor, ...). */
export type EventDraft = { [T in EventType]: { readonly type: T; readonly data: EventData<T> } }[EventType];

export function draft<T extends EventType>(type: T, data: EventData<T>): EventDraft {
  return { type, data } as EventDraft;
}

/** A command `decide` refuses. `kind` maps to an HTTP status at the edge. */
export class CommandRejected extends Error {
  constructor(
    readonly kind: 'not-found' | 'conflict' | 'invalid' | 'forbidden',
    message: string,
    readonly details?: { path: string; errors: string[] }[],
    /** Extra fields of the error body (Marathon's 409 lists the `deployments` that lock an app). */
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'CommandRejected';
  }
}
