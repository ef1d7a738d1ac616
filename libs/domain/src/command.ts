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

/**
 * What caused an event, decided with it (the log can never be amended): an event already in the
 * log, an earlier draft of the same decision, or nothing (`root`: a chain starts here, e.g. an
 * agent registers). Without a cause the event is caused by its command, whose id a user command's
 * deployment records (DeploymentStarted.deploymentId).
 */
export type Cause =
  | { readonly eventId: string; readonly correlationId: string }
  | { readonly draft: EventDraft }
  | { readonly root: true };

/** An event as `decide` returns it: the sequencer wraps it in an envelope (id, at, actor, ...). */
export type EventDraft = {
  [T in EventType]: { readonly type: T; readonly data: EventData<T>; readonly cause?: Cause };
}[EventType];

export function draft<T extends EventType>(type: T, data: EventData<T>, cause?: Cause): EventDraft {
  return (cause ? { type, data, cause } : { type, data }) as EventDraft;
}

/** The same draft with its cause set (drafts are immutable). */
export function causedBy(event: EventDraft, cause: Cause | undefined): EventDraft {
  return cause ? ({ ...event, cause } as EventDraft) : event;
}

export const ROOT: Cause = { root: true };

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

/**
 * The envelope's causationId and correlationId of a draft decided for `meta`'s command: from its
 * cause (an event in the log, or `decided`, the events of this decision's earlier drafts), null
 * for a root, and the command itself when it names none. The sequencer and the specs' scenario
 * both envelope through it.
 */
export function envelopeCause(
  d: EventDraft,
  meta: CommandMeta,
  decided: ReadonlyMap<EventDraft, { readonly id: string; readonly correlationId: string }>,
): { causationId: string | null; correlationId: string } {
  const cause = d.cause;
  if (!cause) return { causationId: meta.commandId, correlationId: meta.correlationId };
  if ('root' in cause) return { causationId: null, correlationId: meta.correlationId };
  if ('eventId' in cause) return { causationId: cause.eventId, correlationId: cause.correlationId };
  const earlier = decided.get(cause.draft);
  if (!earlier) throw new Error(`${d.type} names a cause (${cause.draft.type}) decided after it or not at all`);
  return { causationId: earlier.id, correlationId: earlier.correlationId };
}
