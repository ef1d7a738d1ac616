import { emptyDiscoveryState, foldEvent } from './fold/discovery-fold';
import { servicesOf, ServiceSelection } from './fold/services';
import { SchemaValidator } from './events/schema-validator';
import { ConfigApplier } from './haproxy/config-applier';
import { TopicRecord } from './kafka/topic-follower';
import { Logger } from './log';

export interface BridgeDeps {
  readonly validator: SchemaValidator;
  readonly applier: ConfigApplier;
  readonly selection: ServiceSelection;
  readonly log: Logger;
  /** The topic holds what this bridge cannot read; called once. */
  readonly onHalt: (reason: string, servingTraffic: boolean) => void;
}

/**
 * Records in, HAProxy configuration out: each record is checked against its schema and folded;
 * once the start-up fold has reached the end of the topic, every batch hands the resulting
 * services to the applier (which starts HAProxy the first time). Before that nothing is
 * rendered, so HAProxy never serves a half-folded history (tasks long gone, kills not yet read).
 */
export class Bridge {
  private readonly state = emptyDiscoveryState();
  private caughtUp = false;
  private halted = false;
  private lastOffset = -1;

  constructor(private readonly deps: BridgeDeps) {}

  onRecords(records: readonly TopicRecord[]): void {
    if (this.halted) return;
    for (const record of records) {
      const verdict = this.deps.validator.check(record.value);
      if (verdict.action === 'halt') {
        this.halted = true;
        this.deps.log.error('halted: a record this bridge cannot read', {
          offset: record.offset,
          reason: verdict.reason,
        });
        this.deps.onHalt(verdict.reason, this.caughtUp);
        return;
      }
      if (verdict.action === 'fold') foldEvent(this.state, verdict.event);
      this.lastOffset = record.offset;
    }
    if (this.caughtUp) this.publish();
  }

  onCaughtUp(): void {
    if (this.halted) return;
    this.caughtUp = true;
    this.deps.log.info('caught up', {
      offset: this.lastOffset,
      apps: this.state.apps.size,
      tasks: this.state.tasks.size,
    });
    this.publish();
  }

  private publish(): void {
    this.deps.applier.update(servicesOf(this.state, this.deps.selection), this.lastOffset);
  }
}
