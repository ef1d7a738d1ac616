import { Injectable } from '@nestjs/common';
import type { ICommandHandler } from '@nestjs/cqrs';
import type { Command } from '@cairn/domain';
import { MasterRuntime } from '../core/master-runtime';
import type { CommandOutcome } from '../core/sequencer';
import type { SequencedCommand } from './sequenced-command';

/**
 * The one way to the sequencer: time from the injected clock and a command id from the seeded
 * source are decided here, once, and ride on the command into the log.
 */
@Injectable()
export abstract class SequencedHandler<C extends SequencedCommand<Command['kind']>> implements ICommandHandler<
  SequencedCommand<Command['kind']>
> {
  constructor(protected readonly runtime: MasterRuntime) {}

  execute(command: C | SequencedCommand<Command['kind']>): Promise<CommandOutcome> {
    const meta = { ...this.runtime.meta(command.actor), origin: command.origin };
    return this.runtime.execute({ ...command.payload, meta } as Command);
  }
}
