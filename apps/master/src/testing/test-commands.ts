import type { Clock } from '@cairn/common';
import type { Command } from '@cairn/domain';

/**
 * Commands as the master's handlers build them, for tests that drive a Sequencer directly: each
 * carries the clock's time when it is made, an actor, and a command id that is also its chain's
 * correlation id (`c-1`, `c-2`, ... from `reset()`), so deployment ids are predictable.
 */
export class TestCommands {
  private seq = 0;

  constructor(
    private readonly clock: Clock,
    private readonly actor = 'tester',
  ) {}

  /** Starts the command ids again from `c-1`. */
  reset(): void {
    this.seq = 0;
  }

  meta(actor = this.actor): Command['meta'] {
    const commandId = `c-${++this.seq}`;
    return { now: this.clock.now(), actor, commandId, correlationId: commandId };
  }

  create(id: string, app: Record<string, unknown> = {}, actor?: string): Command {
    return { kind: 'CreateApp', force: true, app: { id, cmd: 'sleep 100', ...app }, meta: this.meta(actor) };
  }

  update(appId: string, body: Record<string, unknown>, actor?: string): Command {
    return { kind: 'UpdateApp', force: true, appId, body, partial: true, meta: this.meta(actor) };
  }

  scale(appId: string, instances: number, actor?: string): Command {
    return this.update(appId, { instances }, actor);
  }

  /** What the Snapshotter records once a snapshot of the state at `offset` (hashing to `hash`) is stored. */
  recordSnapshot(offset: number, hash: string, format: number): Command {
    return { kind: 'RecordSnapshot', offset, hash, format, bytes: 1, meta: this.meta('system') } as Command;
  }

  delete(appId: string, actor?: string): Command {
    return { kind: 'DeleteApp', force: true, appId, meta: this.meta(actor) } as Command;
  }
}
