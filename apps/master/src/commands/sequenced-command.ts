import { Command as NestCommand } from '@nestjs/cqrs';
import type { Command, RequestOrigin } from '@cairn/domain';
import type { CommandOutcome } from '../core/sequencer';

/** A domain command without its metadata: what a caller decides; the handler adds time, ids and actor. */
export type CommandPayload<K extends Command['kind']> = Omit<Extract<Command, { kind: K }>, 'meta'>;

/**
 * Every write of the master is one of these on the CommandBus: REST requests, agents'
 * registrations and status updates, clock ticks and the leader's election. That single entry is
 * where request recording, forwarding from a standby, authorization and metrics live.
 */
export abstract class SequencedCommand<K extends Command['kind']> extends NestCommand<CommandOutcome> {
  constructor(
    readonly payload: CommandPayload<K>,
    /** Who asks: a user or token name, `agent:<id>`, or `system`. */
    readonly actor: string,
    /** The HTTP request behind a user's command, recorded with the decision. */
    readonly origin: RequestOrigin | null = null,
  ) {
    super();
  }
}
