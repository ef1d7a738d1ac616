import { Controller, Get, Header } from '@nestjs/common';
import { CommandRejected } from '@cairn/domain';
import { EventLoopMonitor } from '../core/event-loop-monitor';
import { MasterRuntime } from '../core/master-runtime';
import { UnavailableError } from '../core/errors';
import { CAIRN_VERSION } from '../version';
import { EVENT_FORMAT_LEVEL } from '@cairn/events';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiJson } from './openapi/decorators';

/** /ping, Marathon's /v2/info and /v2/leader, and Cairn's /v1/info and /v1/state/hash. */
@Controller()
export class InfoController {
  constructor(
    private readonly runtime: MasterRuntime,
    private readonly eventLoop: EventLoopMonitor,
  ) {}

  @ApiTags('marathon')
  @ApiOperation({ summary: 'Liveness (open without credentials)', security: [] })
  @ApiProduces('text/plain')
  @ApiResponse({
    status: 200,
    description: '`pong`',
    content: { 'text/plain': { schema: { type: 'string', enum: ['pong'] } } },
  })
  @Get('ping')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  ping(): string {
    return 'pong';
  }

  /**
   * Marathon's /v2/info with only the keys marathon-python's MarathonInfo, MarathonConfig,
   * MarathonZooKeeperConfig and MarathonHttpConfig accept (notes §9): that client parses all
   * three config objects unconditionally, so each must be present, and an unknown key fails
   * `get_info()`. Cairn keeps no ZooKeeper (its store is the event log): `zookeeper_config` is
   * empty. Cairn's own figures are at /v1/info.
   */
  @ApiTags('marathon')
  @ApiOperation({ summary: 'Build and configuration, in the keys marathon-python accepts' })
  @ApiJson(200, 'MarathonInfo', 'The info')
  @Get('v2/info')
  info() {
    this.runtime.assertReadable();
    const { config, instance } = this.runtime;
    return {
      name: 'cairn',
      version: CAIRN_VERSION,
      buildref: 'unknown',
      elected: this.runtime.isReady,
      leader: this.runtime.leader ?? instance,
      frameworkId: config.cluster,
      marathon_config: {
        hostname: config.host,
        framework_name: 'cairn',
        leader_proxy_connection_timeout_ms: 5000,
      },
      zookeeper_config: {},
      http_config: { http_port: config.port },
    };
  }

  /**
   * Cairn's view of its log: the backend, the cluster (topic key) and how far the state is applied;
   * and the event loop's delay since start (the stall budget, docs/operations.md).
   */
  @ApiTags('cairn')
  @ApiOperation({
    summary: "Cairn's view of its log: backend, cluster, offsets, snapshots, cluster version, event loop",
  })
  @ApiJson(
    200,
    {
      type: 'object',
      properties: {
        role: { type: 'string', enum: ['leader', 'standby'] },
        instance: { type: 'string' },
        leader: { type: 'string', nullable: true },
        logBackend: { type: 'string' },
        cluster: { type: 'string' },
        appliedOffset: { type: 'integer' },
        endOffset: { type: 'integer' },
        eventsApplied: { type: 'integer' },
        leaderEpoch: { type: 'integer', nullable: true },
        recovery: { type: 'object', nullable: true },
        snapshots: { type: 'object' },
        clusterVersion: { type: 'integer' },
        formatLevel: { type: 'integer' },
        release: { type: 'string' },
        eventLoop: { type: 'object' },
      },
      required: [
        'role',
        'instance',
        'logBackend',
        'cluster',
        'appliedOffset',
        'endOffset',
        'clusterVersion',
        'formatLevel',
        'release',
      ],
    },
    'The figures',
  )
  @Get('v1/info')
  async cairnInfo() {
    // A master that met a record it cannot read says which, and why (Marathon's /v2 errors have no such field).
    const halted = this.runtime.halted;
    if (halted) throw new UnavailableError(halted.message, 60, { role: 'halted', halted });
    this.runtime.assertReadable();
    const { config, projection } = this.runtime;
    return {
      role: this.runtime.isReady ? 'leader' : 'standby',
      instance: this.runtime.instance,
      leader: this.runtime.leader,
      logBackend: this.runtime.log.backend,
      cluster: config.cluster,
      appliedOffset: projection.appliedOffset,
      endOffset: await this.runtime.log.endOffset(),
      eventsApplied: projection.eventsApplied,
      leaderEpoch: projection.state.leader?.epoch ?? null,
      /** How this master rebuilt its state at start (snapshot offset or null, events replayed on top). */
      recovery: this.runtime.recovery,
      snapshots: { backend: this.runtime.snapshots.backend, last: projection.state.lastSnapshot },
      // Upgrades (docs/operations.md): the level the cluster agreed on, and the highest this master reads.
      clusterVersion: projection.state.clusterVersion,
      formatLevel: EVENT_FORMAT_LEVEL,
      release: CAIRN_VERSION,
      eventLoop: this.eventLoop.snapshot(),
    };
  }

  /** Marathon's /v2/leader: the leader as far as this master knows (any master answers). */
  @ApiTags('marathon')
  @ApiOperation({ summary: 'The leader as this master knows it' })
  @ApiJson(200, { type: 'object', properties: { leader: { type: 'string' } }, required: ['leader'] }, 'The leader')
  @ApiErrors(404)
  @Get('v2/leader')
  leader() {
    this.runtime.assertReadable();
    const leader = this.runtime.leader;
    if (!leader) throw new CommandRejected('not-found', 'There is no leader');
    return { leader };
  }

  /** Hashed in slices: a big state must not stall the event loop (and with it the election). */
  @ApiTags('cairn')
  @ApiOperation({ summary: 'The state hash (equal on every master and on a replay of the same log)' })
  @ApiJson(
    200,
    {
      type: 'object',
      properties: { hash: { type: 'string' }, offset: { type: 'integer' } },
      required: ['hash', 'offset'],
    },
    'The hash and the offset it covers',
  )
  @Get('v1/state/hash')
  async stateHash() {
    this.runtime.assertReadable();
    return this.runtime.projection.hashInSlices();
  }
}
