import fc from 'fast-check';
import { decodeRecord } from '@cairn/events';
import { evolve } from '../decider';
import { forkState } from '../dry-run';
import { initialState, type ClusterState } from '../state';
import { runSteps, stepRun } from '../testing/cluster-arbitraries';
import { indexesOf } from './task-table';
import { AgentTable } from '../agents/agent-table';

/**
 * The task table's indexes (and the app and agent tables') are a pure function of its entries, whichever way the entries got
 * there: the leader's live fold (records replaced), a replay that owns its records (changed in
 * place through `mutate`), and a fork evolved apart from its base. Checked after every event of
 * random cluster runs (agents register, disconnect, drain; apps change; ticks launch; agents report).
 */
const NUM_RUNS = 60;

function expectIndexed(state: ClusterState): void {
  expect(state.tasks.describeIndexes()).toEqual(indexesOf(state.tasks.entries()));
  // The app table's numbers too (apps/app-table.ts): instances per app, holders per service port.
  expect([...state.apps.instances()]).toEqual([...state.apps].map(([id, app]) => [id, app.instances]));
  const holders = new Map<number, number>();
  for (const app of state.apps.values()) {
    for (const { port } of app.portDefinitions) if (port !== 0) holders.set(port, (holders.get(port) ?? 0) + 1);
  }
  for (const port of [...holders.keys(), 0, 1])
    expect(state.apps.servicePortHolders(port)).toBe(holders.get(port) ?? 0);
  // The apps short of instances, against their counts.
  const short = [...state.apps.instances()].filter(([id, n]) => n > state.tasks.activeCount(id)).map(([id]) => id);
  expect([...state.apps.shortOfInstances()].sort()).toEqual(short.sort());
  // And the agent table's (agents/agent-table.ts): equal to a table built afresh from the entries.
  expect(state.agents.describeIndexes()).toEqual(new AgentTable(state.agents.entries()).describeIndexes());
  const walked = [...state.agents.values()];
  expect(state.agents.notActive()).toEqual(walked.filter((a) => a.status !== 'ACTIVE'));
  expect(state.agents.inMaintenance()).toEqual(walked.filter((a) => a.drain !== undefined));
  expect(state.agents.activeCount).toBe(walked.filter((a) => a.status === 'ACTIVE').length);
}

describe('task table indexes (fast-check)', () => {
  it('equal a recompute from the entries after every event of the live fold', () => {
    fc.assert(
      fc.property(stepRun({ disconnects: true, drains: true }), (steps) => {
        runSteps(steps, undefined, { clusterVersion: 3, afterEvent: expectIndexed });
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('equal a recompute after every event of an owned replay, and a fork never touches its base', () => {
    fc.assert(
      fc.property(stepRun({ disconnects: true, drains: true }), fc.nat(), (steps, cut) => {
        const { log } = runSteps(steps, undefined, { clusterVersion: 3 });
        const events = log.map((record) => decodeRecord(record));
        const at = events.length === 0 ? 0 : cut % events.length;
        const replayed = initialState();
        events.slice(0, at).forEach((event) => {
          evolve(replayed, event, 'owned');
          expectIndexed(replayed);
        });
        // The rest of the run on a fork: its indexes follow it, the base's stay as they were.
        const before = replayed.tasks.describeIndexes();
        const agentsBefore = replayed.agents.describeIndexes();
        const fork = forkState(replayed);
        for (const event of events.slice(at)) {
          evolve(fork, event);
          expectIndexed(fork);
        }
        expect(replayed.tasks.describeIndexes()).toEqual(before);
        expect(replayed.agents.describeIndexes()).toEqual(agentsBefore);
        expectIndexed(replayed);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
