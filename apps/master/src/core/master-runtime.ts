import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { CommandBus, EventBus } from '@nestjs/cqrs';
import type { Clock, IdSource } from '@cairn/common';
import type { EventLog } from '@cairn/eventlog';
import type { Command } from '@cairn/domain';
import type { CairnEvent, RecordedEvent } from '@cairn/events';
import { CAIRN_CONFIG, CLOCK, EVENT_LOG, ID_SOURCE } from '../tokens';
import type { CairnConfig } from '../config/cairn-config';
import { UnavailableError } from './errors';
import { readEvents } from './event-stream';
import { ProjectionRunner } from './projection-runner';
import { CommandOutcome, Sequencer } from './sequencer';
import { EventApplied } from './event-applied';
import { ElectLeaderCommand } from '../commands/cluster.commands';

export type MasterPhase = 'starting' | 'replaying' | 'electing' | 'ready' | 'stopped';

/**
 * The master's spine: owns the log, the projection runner and the sequencer, and runs the
 * writer's start-up: open (file: lock + recover; Kafka: fence), replay the log through the
 * projection, append LeaderElected through the sequencer, and only then accept commands.
 */
@Injectable()
export class MasterRuntime implements OnApplicationShutdown {
  private readonly logger = new Logger('MasterRuntime');
  readonly projection = new ProjectionRunner();
  private sequencer: Sequencer | null = null;
  private phase: MasterPhase = 'starting';
  private fatalError: Error | null = null;
  private fatalListeners: ((error: Error) => void)[] = [];
  /** `host:port` where this master listens: its name as leader (Marathon's /v2/leader). */
  instance = 'unknown';
  /** When this master became the leader (ms): agents get a timeout from then to reconnect. */
  leaderSinceMs = 0;

  constructor(
    @Inject(EVENT_LOG) readonly log: EventLog,
    @Inject(CLOCK) readonly clock: Clock,
    @Inject(ID_SOURCE) readonly ids: IdSource,
    @Inject(CAIRN_CONFIG) readonly config: CairnConfig,
    private readonly eventBus: EventBus,
    private readonly commandBus: CommandBus,
  ) {}

  get currentPhase(): MasterPhase {
    return this.phase;
  }

  get isReady(): boolean {
    return this.phase === 'ready';
  }

  /** Runs start-up; resolves when the master accepts commands. */
  async start(instance: string): Promise<void> {
    this.instance = instance;
    const startedAt = this.clock.now();
    await this.log.open();
    this.phase = 'replaying';
    // Nothing else holds the replayed records yet (the sequencer is made afterwards, from a deep copy).
    for await (const events of readEvents(this.log, { from: 0 })) this.projection.apply(events, { owned: true });
    this.logger.log(
      `replayed ${this.projection.eventsApplied} events to offset ${this.projection.appliedOffset} in ${this.clock.now() - startedAt} ms`,
    );
    this.phase = 'electing';
    this.sequencer = new Sequencer({
      log: this.log,
      projection: this.projection,
      ids: this.ids,
      onApplied: (events) => this.publish(events),
      onFatal: (error) => this.onFatal(error),
    });
    const { offset } = await this.commandBus.execute(
      new ElectLeaderCommand({ kind: 'ElectLeader', instance: this.instance }, 'system'),
    );
    this.leaderSinceMs = this.clock.now();
    this.phase = 'ready';
    this.logger.log(`leader ${this.instance}, epoch ${this.projection.state.leader?.epoch} at offset ${offset}`);
  }

  /** Hands a command to the sequencer; 503 until start-up is done or after a fatal error. */
  execute(command: Command): Promise<CommandOutcome> {
    const electing = this.phase === 'electing' && command.kind === 'ElectLeader';
    if ((this.phase !== 'ready' && !electing) || !this.sequencer) {
      return Promise.reject(
        new UnavailableError(
          this.fatalError
            ? `this master stopped: ${this.fatalError.message}`
            : `master is ${this.phase}; retry shortly`,
        ),
      );
    }
    return this.sequencer.submit(command);
  }

  /** Command metadata: time from the injected clock, ids from the seeded source. */
  meta(actor: string): Command['meta'] {
    const commandId = this.ids.uuid();
    return { now: this.clock.now(), actor, commandId, correlationId: commandId };
  }

  /** Throws the 503 error when the read model may not be served. */
  assertReadable(): void {
    if (this.phase !== 'ready') {
      throw new UnavailableError(
        this.fatalError ? `this master stopped: ${this.fatalError.message}` : `master is ${this.phase}; retry shortly`,
      );
    }
  }

  onFatalError(listener: (error: Error) => void): void {
    if (this.fatalError) listener(this.fatalError);
    else this.fatalListeners.push(listener);
  }

  async onApplicationShutdown(): Promise<void> {
    this.phase = 'stopped';
    this.sequencer?.stop(new Error('master is shutting down'));
    await this.log.close().catch((e) => this.logger.warn(`closing the log: ${(e as Error).message}`));
  }

  private publish(events: RecordedEvent<CairnEvent>[]): void {
    for (const event of events) this.eventBus.publish(new EventApplied(event));
  }

  private onFatal(error: Error): void {
    this.fatalError = error;
    this.phase = 'stopped';
    this.logger.error(`cannot go on: ${error.message}`);
    for (const listener of this.fatalListeners.splice(0)) listener(error);
  }
}
