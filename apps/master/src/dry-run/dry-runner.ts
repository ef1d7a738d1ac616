import { Injectable } from '@nestjs/common';
import { SeededIdSource } from '@cairn/common';
import { decideAhead, type Command, type RequestOrigin } from '@cairn/domain';
import { SchedulerTicker } from '../agents/scheduler-ticker';
import type { SequencedCommand } from '../commands/sequenced-command';
import { MasterRuntime } from '../core/master-runtime';
import { dryRunAnswer, type DryRunAnswer } from './dry-run-answer';
import { dryRunEnvelope } from './dry-run-envelope';

/** The query parameter that turns a write into a dry run. */
export const DRY_RUN_PARAM = 'dryRun';

/**
 * "What would happen" for a write: its command decided now, as the sequencer would decide it, then
 * the scheduler's next tick (placements, kills, declines) with the inputs the ticker would use now
 * (connected agents, the leader's time and settings), all on a fork of the served state; nothing
 * is appended and nothing the master decides later changes (its seeded IdSource is not drawn from).
 *
 * Decided on the durable state (the projection runner's), not the sequencer's speculative one: it
 * is the state a client reads and names by offset (`decidedAtOffset`), it holds nothing that may
 * yet fail to append, and reading it needs nothing from the sequencer. The two differ only while an
 * append is in flight (a batch's few milliseconds); a write decided then sees that batch too.
 *
 * Leader only, like a write: a standby forwards `?dryRun=true` with the write (http/leader-proxy.ts),
 * since only the leader knows which agents are connected now.
 */
@Injectable()
export class DryRunner {
  private runs = 0;

  constructor(
    private readonly runtime: MasterRuntime,
    private readonly ticker: SchedulerTicker,
  ) {}

  /** Decides `command` and the next tick on a fork; throws the write's refusal (CommandRejected). */
  plan(command: SequencedCommand<Command['kind']>): DryRunAnswer {
    this.runtime.assertLeader();
    const projection = this.runtime.projection;
    const now = this.runtime.clock.now();
    const ids = new SeededIdSource(
      `dry-run ${this.runtime.instance} ${projection.appliedOffset} ${now} ${++this.runs}`,
    );
    const meta = (actor: string, origin: RequestOrigin | null) => {
      const commandId = ids.uuid();
      return { now, actor, commandId, correlationId: commandId, origin };
    };
    const write = { ...command.payload, meta: meta(command.actor, withoutDryRun(command.origin)) } as Command;
    const tick = () => ({ ...this.ticker.tickPayload(ids.uuid()), meta: meta('system', null) }) as Command;
    const decisions = decideAhead(
      projection.state,
      write,
      dryRunEnvelope(ids, projection.lastEventAt),
      (_fork, index) => (index === 1 ? tick() : null),
    );
    return dryRunAnswer(decisions, projection.state, projection.appliedOffset);
  }
}

/** The request as the real write would be recorded: the same path without `dryRun`. */
function withoutDryRun(origin: RequestOrigin | null): RequestOrigin | null {
  if (!origin) return null;
  const [path, query] = origin.path.split('?', 2);
  if (query === undefined) return origin;
  const params = new URLSearchParams(query);
  params.delete(DRY_RUN_PARAM);
  const rest = params.toString();
  return { ...origin, path: rest ? `${path}?${rest}` : path! };
}
