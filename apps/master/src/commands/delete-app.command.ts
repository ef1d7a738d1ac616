import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { MasterRuntime } from '../core/master-runtime';
import type { CommandOutcome } from '../core/sequencer';

/** DELETE /v2/apps/{id}. */
export class DeleteAppCommand extends Command<CommandOutcome> {
  constructor(
    readonly appId: string,
    readonly actor: string,
  ) {
    super();
  }
}

@CommandHandler(DeleteAppCommand)
export class DeleteAppHandler implements ICommandHandler<DeleteAppCommand> {
  constructor(private readonly runtime: MasterRuntime) {}

  execute({ appId, actor }: DeleteAppCommand): Promise<CommandOutcome> {
    return this.runtime.execute({ kind: 'DeleteApp', appId, meta: this.runtime.meta(actor) });
  }
}
