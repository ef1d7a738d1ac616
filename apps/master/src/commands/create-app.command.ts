import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { MasterRuntime } from '../core/master-runtime';
import type { CommandOutcome } from '../core/sequencer';

/** POST /v2/apps: `app` is a validated, id-normalised Marathon AppDefinition body. */
export class CreateAppCommand extends Command<CommandOutcome> {
  constructor(
    readonly app: Record<string, unknown>,
    readonly actor: string,
  ) {
    super();
  }
}

@CommandHandler(CreateAppCommand)
export class CreateAppHandler implements ICommandHandler<CreateAppCommand> {
  constructor(private readonly runtime: MasterRuntime) {}

  execute({ app, actor }: CreateAppCommand): Promise<CommandOutcome> {
    return this.runtime.execute({ kind: 'CreateApp', app, meta: this.runtime.meta(actor) });
  }
}
