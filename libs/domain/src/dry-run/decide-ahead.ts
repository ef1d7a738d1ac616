import type { CairnEvent } from '@cairn/events';
import type { EventDraft } from '../command';
import { Command, decide, evolve } from '../decider';
import type { ClusterState } from '../state';
import { forkState } from './fork-state';

/**
 * Wraps one draft in its envelope, as the sequencer would (id, version, time, causes), and checks
 * it with the codec: it throws where the append would refuse the event. `decided` maps the
 * decision's earlier drafts to their events (a draft may name one as its cause).
 */
export type Envelope = (
  draft: EventDraft,
  command: Command,
  decided: ReadonlyMap<EventDraft, CairnEvent>,
) => CairnEvent;

/** One command of a dry run and the events it would write. */
export interface DecidedAhead {
  readonly command: Command;
  readonly events: readonly CairnEvent[];
}

/**
 * "What would happen": the commands decided one after the other, as the sequencer decides them,
 * on a fork of `state` (each sees the events of those before it), with the same pure `decide`. A
 * command's refusal (CommandRejected) or an invalid event is thrown, as the real write answers it.
 * `state` is left as it was; nothing is appended anywhere.
 *
 * `next` builds each later command from the fork as it stands (e.g. the scheduler's Tick after a
 * user's command); returning null ends the run.
 */
export function decideAhead(
  state: ClusterState,
  first: Command,
  envelope: Envelope,
  next: (fork: ClusterState, index: number) => Command | null = () => null,
): DecidedAhead[] {
  const fork = forkState(state);
  const decisions: DecidedAhead[] = [];
  for (let command: Command | null = first, i = 0; command !== null; command = next(fork, ++i)) {
    const drafts = decide(command, fork);
    const decided = new Map<EventDraft, CairnEvent>();
    const events: CairnEvent[] = [];
    for (const d of drafts) {
      const event = envelope(d, command, decided);
      decided.set(d, event);
      events.push(event);
    }
    // Evolved after the whole decision, as the sequencer does: a later draft never sees an earlier one.
    for (const event of events) evolve(fork, event);
    decisions.push({ command, events });
  }
  return decisions;
}
