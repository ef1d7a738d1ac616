import { Controller, Get, Header } from '@nestjs/common';
import { MasterRuntime } from '../core/master-runtime';
import { CAIRN_VERSION } from '../version';

/** /ping, Marathon's /v2/info and /v2/leader, and Cairn's /v1/state/hash. */
@Controller()
export class InfoController {
  constructor(private readonly runtime: MasterRuntime) {}

  @Get('ping')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  ping(): string {
    return 'pong';
  }

  @Get('v2/info')
  async info() {
    this.runtime.assertReadable();
    const { config, projection, instance } = this.runtime;
    return {
      name: 'cairn',
      version: CAIRN_VERSION,
      buildref: 'unknown',
      elected: true,
      leader: instance,
      frameworkId: config.cluster,
      marathon_config: {
        hostname: config.host,
        http_port: config.port,
        framework_name: 'cairn',
        leader_proxy_connection_timeout_ms: 5000,
      },
      http_config: { http_port: config.port },
      cairn: {
        logBackend: this.runtime.log.backend,
        cluster: config.cluster,
        appliedOffset: projection.appliedOffset,
        endOffset: await this.runtime.log.endOffset(),
        eventsApplied: projection.eventsApplied,
        leaderEpoch: projection.state.leader?.epoch ?? null,
      },
    };
  }

  @Get('v2/leader')
  leader() {
    this.runtime.assertReadable();
    return { leader: this.runtime.instance };
  }

  @Get('v1/state/hash')
  stateHash() {
    this.runtime.assertReadable();
    return { hash: this.runtime.projection.hash(), offset: this.runtime.projection.appliedOffset };
  }
}
