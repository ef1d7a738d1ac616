import fc from 'fast-check';
import { SeededIdSource } from '@cairn/common/ids';
import type { LogRecord } from '@cairn/eventlog';
import { CairnEvent, catalogue, decodeRecord, encodeEvent } from '@cairn/events';
import { CommandRejected, EventDraft } from './command';
import { Command, decide, evolve } from './decider';
import { cloneState, ClusterState, initialState } from './state';
import { iso, meta, stateJson, T0 } from './testing/decider-spec';

/**
 * The live leader decides on its speculative state and evolves what it decided; a standby or a
 * restart replays the recorded events from the log. These properties run random command
 * sequences through both paths (the recorded path through the real codec: encode, bytes,
 * decode) and demand the same state.
 */
const APP_IDS = ['/web', '/api', '/prod/db'] as const;
const MAX_STEP_MS = 3_600_000;

const tenths = (max: number) => fc.integer({ min: 0, max: max * 10 }).map((n) => n / 10);
const name = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,5}$/);

const healthCheck = fc.record(
  {
    protocol: fc.constantFrom('HTTP', 'HTTPS', 'TCP', 'COMMAND', 'MESOS_HTTP', 'MESOS_TCP'),
    path: fc.constantFrom('/', '/health'),
    intervalSeconds: fc.integer({ min: 1, max: 120 }),
    portIndex: fc.constant(0),
  },
  { requiredKeys: [] },
);

/** A Marathon app body as the HTTP edge passes it on: valid, sparse, with fields Cairn does not know. */
const appBody = fc
  .record(
    {
      cmd: fc.constantFrom('sleep 1000', 'python3 -m http.server $PORT0', './run.sh'),
      cpus: tenths(4),
      mem: fc.integer({ min: 0, max: 4096 }),
      disk: fc.integer({ min: 0, max: 100 }),
      instances: fc.integer({ min: 0, max: 5 }),
      env: fc.dictionary(name, fc.string({ maxLength: 4 }), { maxKeys: 2 }),
      labels: fc.dictionary(name, fc.string({ maxLength: 4 }), { maxKeys: 2 }),
      constraints: fc.constantFrom([], [['hostname', 'UNIQUE']], [['rack', 'GROUP_BY', '2']]),
      healthChecks: fc.array(healthCheck, { maxLength: 2 }),
      upgradeStrategy: fc.record(
        { minimumHealthCapacity: tenths(1), maximumOverCapacity: tenths(1) },
        { requiredKeys: [] },
      ),
      killSelection: fc.constantFrom('YOUNGEST_FIRST', 'OLDEST_FIRST'),
      backoffFactor: fc.constantFrom(1, 1.15, 2),
      container: fc.record({
        type: fc.constant('DOCKER'),
        docker: fc.record({ image: fc.constantFrom('a:1', 'b:2') }),
      }),
      user: fc.constantFrom('nobody', 'root'),
    },
    { requiredKeys: [] },
  )
  .chain((body) =>
    // At most one of `ports` (legacy) and `portDefinitions`, as Marathon's validation demands.
    fc.oneof(
      fc.constant(body),
      fc.array(fc.integer({ min: 0, max: 65535 }), { maxLength: 2 }).map((ports) => ({ ...body, ports })),
      fc
        .array(fc.record({ port: fc.integer({ min: 0, max: 65535 }), name: fc.constantFrom('http', 'admin') }), {
          maxLength: 2,
        })
        .map((portDefinitions) => ({ ...body, portDefinitions })),
    ),
  );

type CommandAt = (now: number) => Command;
const command: fc.Arbitrary<CommandAt> = fc.oneof(
  fc.tuple(fc.constantFrom(...APP_IDS), appBody).map(
    ([id, body]) =>
      (now: number) =>
        ({ kind: 'CreateApp', force: true, app: { ...body, id }, meta: meta(now) }) as Command,
  ),
  fc.tuple(fc.constantFrom(...APP_IDS), appBody, fc.boolean()).map(
    ([appId, body, partial]) =>
      (now: number) =>
        ({ kind: 'UpdateApp', force: true, appId, body, partial, meta: meta(now) }) as Command,
  ),
  fc.tuple(fc.constantFrom(...APP_IDS), fc.integer({ min: 0, max: 9 })).map(
    ([appId, instances]) =>
      (now: number) =>
        ({ kind: 'UpdateApp', force: true, appId, body: { instances }, partial: true, meta: meta(now) }) as Command,
  ),
  fc
    .constantFrom(...APP_IDS)
    .map((appId) => (now: number) => ({ kind: 'DeleteApp', force: true, appId, meta: meta(now) }) as Command),
  fc
    .constantFrom('m1', 'm2')
    .map((instance) => (now: number) => ({ kind: 'ElectLeader', instance, meta: meta(now) }) as Command),
);

/** Commands at non-decreasing times (several may share a millisecond, as in one batch). */
const commandRun = fc
  .array(fc.tuple(command, fc.integer({ min: 0, max: MAX_STEP_MS })), { maxLength: 40 })
  .map((steps) => {
    let now = T0;
    return steps.map(([at, stepMs]) => at((now += stepMs)));
  });

/** The envelope the sequencer writes around a draft. */
function envelope(draft: EventDraft, cmd: Command, id: string): CairnEvent {
  return {
    id,
    type: draft.type,
    v: catalogue[draft.type].current,
    at: iso(cmd.meta.now),
    actor: cmd.meta.actor,
    correlationId: cmd.meta.correlationId,
    causationId: cmd.meta.commandId,
    data: draft.data,
  } as CairnEvent;
}

/** Runs the commands as the leader does; returns its speculative state and the log it wrote. */
function runLive(commands: Command[]): { live: ClusterState; log: LogRecord[] } {
  const ids = new SeededIdSource('property');
  const live = initialState();
  const log: LogRecord[] = [];
  for (const cmd of commands) {
    const before = stateJson(live);
    let drafts: EventDraft[];
    try {
      drafts = decide(cmd, live);
    } catch (error) {
      if (!(error instanceof CommandRejected)) throw error;
      continue;
    }
    expect(stateJson(live)).toBe(before); // decide is pure: it never touches the state
    for (const draft of drafts) {
      const event = envelope(draft, cmd, ids.uuid());
      log.push({ ...encodeEvent(event), offset: log.length }); // throws if decide made an invalid event
      evolve(live, event);
    }
  }
  return { live, log };
}

describe('decide + evolve (fast-check)', () => {
  it('replaying the recorded events gives the state that decided them', () => {
    fc.assert(
      fc.property(commandRun, (commands) => {
        const { live, log } = runLive(commands);
        const replayed = log.map(decodeRecord).reduce<ClusterState>((state, e) => evolve(state, e), initialState());
        expect(stateJson(replayed)).toBe(stateJson(live));
      }),
      { numRuns: 300 },
    );
  });

  it('decide refuses only with CommandRejected, and decides the same events again on a copy of the state', () => {
    fc.assert(
      fc.property(commandRun, command, (commands, next) => {
        const { live } = runLive(commands);
        const cmd = next(T0 + 100 * MAX_STEP_MS);
        const outcome = (state: ClusterState) => {
          try {
            return decide(cmd, state);
          } catch (error) {
            expect(error).toBeInstanceOf(CommandRejected);
            return (error as CommandRejected).kind;
          }
        };
        expect(JSON.stringify(outcome(cloneState(live)))).toBe(JSON.stringify(outcome(live)));
      }),
      { numRuns: 200 },
    );
  });
});
