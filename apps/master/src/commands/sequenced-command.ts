import { forwardRef, Inject, Injectable } from '@nestjs/common';
import { Command as NestCommand, ICommandHandler } from '@nestjs/cqrs';
import type { Command, RequestOrigin } from '@cairn/domain';
import { MasterRuntime } from '../core/master-runtime';
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

/**
 * The one way to the sequencer: time from the injected clock and a command id from the seeded
 * source are decided here, once, and ride on the command into the log.
 */
@Injectable()
export abstract class SequencedHandler<C extends SequencedCommand<Command['kind']>> implements ICommandHandler<
  SequencedCommand<Command['kind']>
> {
  // forwardRef: the runtime submits ElectLeader through the bus, so the two modules import each other.
  constructor(@Inject(forwardRef(() => MasterRuntime)) protected readonly runtime: MasterRuntime) {}

  execute(command: C | SequencedCommand<Command['kind']>): Promise<CommandOutcome> {
    const meta = { ...this.runtime.meta(command.actor), origin: command.origin };
    return this.runtime.execute({ ...command.payload, meta } as Command);
  }
}
