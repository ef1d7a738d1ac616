import { SeededIdSource } from '@cairn/common/ids';
import { CairnEvent, encodeEvent, TaskState } from '@cairn/events';
import { envelopeCause, EventDraft } from '../command';
import { Command, decide, evolve } from '../decider';
import { ClusterState, initialState, TaskRecord } from '../state';
import { activeTaskCount } from '../scheduler/launch-queue';
import { recorded, T0 } from './decider-spec';
import { AGENT_UNREACHABLE_MS, reportStatus, tick } from './cluster-builders';

/**
 * A cluster driven as the leader drives it: each command is decided on the live state, its
 * events are wrapped in the sequencer's envelope, checked by the real codec (an invalid event
 * throws, as the append would) and evolved. `log` is what the leader wrote, in order, so a spec
 * can continue with `given(scenario.log).when(...)`.
 */
export class ClusterScenario {
  readonly state: ClusterState = initialState();
  readonly log: CairnEvent[] = [];
  private readonly ids = new SeededIdSource('scenario');
  private ticks = 0;
  private updates = 0;

  /** Appends events as if decided at `at` (for set-ups that no command produces). */
  given(drafts: readonly EventDraft[], at = T0): this {
    for (const draft of drafts) this.append(draft, at);
    return this;
  }

  /** Decides and applies one command; returns what it decided. */
  run(command: Command): EventDraft[] {
    const drafts = decide(command, this.state);
    const decided = new Map<EventDraft, CairnEvent>();
    for (const draft of drafts) {
      decided.set(draft, this.append(draft, command.meta.now, envelopeCause(draft, command.meta, decided)));
    }
    return drafts;
  }

  /**
   * A tick with a fresh seed (the master draws one per tick), from a master leading since T0 whose
   * open agent streams are the ACTIVE agents' (they registered and did not disconnect).
   */
  tick(now: number, agentUnreachableMs = AGENT_UNREACHABLE_MS): EventDraft[] {
    return this.run(
      tick(now, {
        seed: `scenario-tick-${++this.ticks}`,
        agentUnreachableMs,
        connectedAgentIds: connectedAgents(this.state),
        leaderSinceMs: T0,
      }),
    );
  }

  /** Every task in `from` reported `to` by its agent (fresh update ids). */
  reportAll(now: number, to: TaskState = 'TASK_RUNNING', from: readonly TaskState[] = ['TASK_STAGING']): EventDraft[] {
    const events: EventDraft[] = [];
    for (const task of [...this.state.tasks.values()]) {
      if (!from.includes(task.state)) continue;
      events.push(
        ...this.run(reportStatus(task.taskId, task.agentId, to, { updateId: `update-${++this.updates}`, now })),
      );
    }
    return events;
  }

  /** The agents' answer to every kill request: TASK_KILLED. */
  reportKills(now: number): EventDraft[] {
    const events: EventDraft[] = [];
    for (const task of [...this.state.tasks.values()]) {
      if (!task.killRequested) continue;
      const update = reportStatus(task.taskId, task.agentId, 'TASK_KILLED', {
        updateId: `update-${++this.updates}`,
        now,
      });
      events.push(...this.run(update));
    }
    return events;
  }

  tasksOf(appId: string): TaskRecord[] {
    return [...this.state.tasks.values()].filter((task) => task.appId === appId);
  }

  activeCount(appId: string): number {
    return activeTaskCount(this.state, appId);
  }

  private append(
    draft: EventDraft,
    at: number,
    cause: { causationId: string | null; correlationId: string } = { causationId: null, correlationId: 'spec' },
  ): CairnEvent {
    const event = { ...recorded(draft, at, this.ids.uuid()), ...cause };
    encodeEvent(event); // throws, as the append would, when decide made an invalid event
    evolve(this.state, event);
    this.log.push(event);
    return event;
  }
}

/** The agents whose command stream is open in a run without failover: the ACTIVE ones. */
export function connectedAgents(state: ClusterState): string[] {
  return [...state.agents.values()].filter((a) => a.status === 'ACTIVE').map((a) => a.agentId);
}
