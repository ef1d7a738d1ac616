import { isoTime } from '@cairn/common/iso-time';
import assert from 'node:assert/strict';
import { canonicalJson } from '@cairn/common/canonical-json';
import { CairnEvent, catalogue, EventData } from '@cairn/events';
import { CommandMeta, CommandRejected, EventDraft } from '../command';
import { Command, decide, evolve } from '../decider';
import { ClusterState, hashedView, initialState } from '../state';

/**
 * Given/when/then for the decider, after emmett's DeciderSpecification:
 *
 *   given([appCreated(web)]).when(scaleApp('/web', 3)).then([appScaled('/web', 3)]);
 *
 * `given` folds its events with `evolve` from `initialState()`; `when` runs `decide` on that
 * state and checks that `decide` left it untouched (decide is pure). Failures are node:assert
 * errors, so this file has no test-runner dependency and also serves the simulator.
 */

/**
 * Events compared as the log holds them: JSON, so an `undefined` member is no difference, and
 * neither is the realm an object was made in (structuredClone under jest builds objects whose
 * prototype is not the test's Object.prototype, which deepStrictEqual would call unequal). Causes
 * are left out: causes.spec.ts is about them.
 */
const asLogged = (events: readonly EventDraft[]): unknown =>
  JSON.parse(JSON.stringify(events.map(({ cause: _cause, ...event }) => event)));

/** Drafts without their causes, for specs that compare events and leave causes to causes.spec.ts. */
export const withoutCauses = (events: readonly EventDraft[]): EventDraft[] =>
  events.map(({ cause: _cause, ...event }) => event as EventDraft);

/** The decision time every spec starts from, unless it says otherwise. */
export const T0 = Date.UTC(2026, 0, 1);

export const iso = (ms: number): string => isoTime(ms);

/** What a command carries besides its payload; `now` is the decision time (ms). */
export function meta(now: number = T0, commandId = `cmd-${now}`): CommandMeta {
  return { now, actor: 'tester', commandId, correlationId: commandId };
}

/**
 * A draft in the envelope the sequencer writes (type's current version, `at` = decision time).
 * evolve reads only `type` and `data`; the rest is there so the event is a real CairnEvent.
 */
export function recorded(draft: EventDraft, at: number = T0, id = '00000000-0000-4000-8000-000000000000'): CairnEvent {
  return {
    id,
    type: draft.type,
    v: catalogue[draft.type].current,
    at: iso(at),
    actor: 'tester',
    correlationId: 'spec',
    causationId: null,
    data: draft.data,
  } as CairnEvent;
}

/** The state after `events`, folded with evolve from the initial state. */
export function stateAfter(events: readonly (EventDraft | CairnEvent)[]): ClusterState {
  return events.reduce<ClusterState>((state, e) => evolve(state, 'v' in e ? e : recorded(e)), initialState());
}

/**
 * Everything in a state, leader included, as canonical JSON: equal states give equal strings.
 * Every field of ClusterState is covered (agents, tasks, update ids, delays, filters, offers,
 * reasons, failures), so "decide left the state untouched" and "replay equals live" see them all.
 */
export function stateJson(state: ClusterState): string {
  return canonicalJson({ ...(hashedView(state) as object), leader: state.leader });
}

/**
 * How many events of each type, the types that occur only: plans are checked as counts
 * (`expect(eventCounts(events)).toEqual({ OffersMade: 1, OfferAccepted: 1, TaskLaunched: 3 })`).
 */
export function eventCounts(events: readonly { readonly type: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const event of events) counts[event.type] = (counts[event.type] ?? 0) + 1;
  return counts;
}

/** The events of one type, with their data typed. */
export function eventsOf<T extends EventDraft['type']>(events: readonly EventDraft[], type: T): EventData<T>[] {
  return events.filter((e) => e.type === type).map((e) => e.data as EventData<T>);
}

export interface DeciderThen {
  /** `decide` returns exactly these events. */
  then(expected: readonly EventDraft[]): void;
  /**
   * `decide` returns exactly these events apart from the deployment events, which a spec about
   * apps or tasks leaves to deployment.decider.spec (it checks that a plan was started, though).
   */
  thenApps(expected: readonly EventDraft[]): void;
  /** `decide` returns no event: the command changes nothing. */
  thenNothingHappened(): void;
  /** `decide` refuses the command with this kind (and message, when given). */
  thenThrows(kind: CommandRejected['kind'], message?: string | RegExp): void;
  /** `decide` succeeds; `check` gets its events and the state after evolving them. */
  thenState(check: (state: ClusterState, events: EventDraft[]) => void): void;
}

export function given(events: readonly (EventDraft | CairnEvent)[]): { when(command: Command): DeciderThen } {
  return {
    when(command) {
      const decideOnGiven = (): EventDraft[] => {
        const state = stateAfter(events);
        const before = stateJson(state);
        try {
          return decide(command, state);
        } finally {
          assert.equal(stateJson(state), before, 'decide changed the state it decided on');
        }
      };
      return {
        then: (expected) => assert.deepStrictEqual(asLogged(decideOnGiven()), asLogged(expected)),
        thenApps: (expected) => {
          const produced = decideOnGiven();
          const isDeployment = (e: EventDraft) => e.type.startsWith('Deployment');
          if (expected.length > 0) assert.ok(produced.some(isDeployment), 'no deployment was started');
          assert.deepStrictEqual(asLogged(produced.filter((e) => !isDeployment(e))), asLogged(expected));
        },
        thenNothingHappened: () => assert.deepStrictEqual(decideOnGiven(), []),
        thenThrows(kind, message) {
          assert.throws(decideOnGiven, (error: unknown) => {
            assert.ok(error instanceof CommandRejected, `expected CommandRejected, got ${String(error)}`);
            assert.equal(error.kind, kind);
            if (typeof message === 'string') assert.equal(error.message, message);
            if (message instanceof RegExp) assert.match(error.message, message);
            return true;
          });
        },
        thenState(check) {
          const produced = decideOnGiven();
          const state = stateAfter(events);
          for (const draft of produced) evolve(state, recorded(draft, command.meta.now));
          check(state, produced);
        },
      };
    },
  };
}
