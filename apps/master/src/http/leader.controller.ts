import { Controller, Delete } from '@nestjs/common';
import { CommandRejected } from '@cairn/domain';
import { MasterRuntime } from '../core/master-runtime';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiJson } from './openapi/decorators';

/**
 * Marathon's DELETE /v2/leader: the leader abdicates and a standby takes over (a standby forwards
 * the request to the leader, as every write). A master without standbys (the file log's sole
 * writer) cannot hand over: refused plainly rather than answered as if it worked.
 */
@ApiTags('marathon')
@Controller('v2/leader')
export class LeaderController {
  constructor(private readonly runtime: MasterRuntime) {}

  @ApiOperation({ summary: 'The leader resigns and a standby takes over (409 on the file log: no standby)' })
  @ApiJson(
    200,
    { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] },
    '`Leadership abdicated`',
  )
  @ApiErrors(409)
  @Delete()
  async abdicate() {
    this.runtime.assertLeader();
    if (!this.runtime.canHandOver) {
      throw new CommandRejected(
        'conflict',
        `Leadership cannot be handed over: ${this.runtime.instance} runs without standby masters, so no other master could take over`,
      );
    }
    await this.runtime.resign();
    return { message: 'Leadership abdicated' };
  }
}
