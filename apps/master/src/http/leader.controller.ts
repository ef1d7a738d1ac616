import { Controller, Delete } from '@nestjs/common';
import { CommandRejected } from '@cairn/domain';
import { MasterRuntime } from '../core/master-runtime';

/**
 * Marathon's DELETE /v2/leader: the leader abdicates and a standby takes over. Cairn masters do
 * not run standbys yet (the HA issue), so abdicating would leave the cluster without a leader:
 * refused plainly rather than answered as if it worked.
 */
@Controller('v2/leader')
export class LeaderController {
  constructor(private readonly runtime: MasterRuntime) {}

  @Delete()
  abdicate(): never {
    this.runtime.assertReadable();
    throw new CommandRejected(
      'conflict',
      `Leadership cannot be handed over: ${this.runtime.instance} runs without standby masters, so no other master could take over`,
    );
  }
}
