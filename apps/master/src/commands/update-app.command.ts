import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { MasterRuntime } from '../core/master-runtime';
import type { CommandOutcome } from '../core/sequencer';

/** PUT /v2/apps/{id}: partial (Marathon's default) or full update; creates a missing app. */
export class UpdateAppCommand extends Command<CommandOutcome> {
  constructor(
    readonly appId: string,
    readonly body: Record<string, unknown>,
    readonly partial: boolean,
    readonly actor: string,
  ) {
    super();
  }
}

@CommandHandler(UpdateAppCommand)
export class UpdateAppHandler implements ICommandHandler<UpdateAppCommand> {
  constructor(private readonly runtime: MasterRuntime) {}

  execute({ appId, body, partial, actor }: UpdateAppCommand): Promise<CommandOutcome> {
    return this.runtime.execute({ kind: 'UpdateApp', appId, body, partial, meta: this.runtime.meta(actor) });
  }
}
