import { draft } from '../command';
import { evolve } from '../decider';
import { initialState } from '../state';
import { anAgent } from '../testing/cluster-builders';
import { recorded, T0 } from '../testing/decider-spec';

/** The stamp deployment buckets are remembered by (deployment.decider.ts, bucketsOf). */
describe('AgentTable.attributesAndDrainStamp', () => {
  const agentA = anAgent('agent-a').withAttributes({ rack: 'r1' });

  function cluster() {
    const state = initialState();
    evolve(state, recorded(agentA.registered(), T0), 'owned');
    evolve(state, recorded(anAgent('agent-b').registered(), T0), 'owned');
    return state;
  }

  it('stays while agents only come and go (status), so a re-registration storm keeps the memo', () => {
    const state = cluster();
    const stamp = state.agents.attributesAndDrainStamp;
    evolve(state, recorded(draft('AgentDisconnected', { agentId: 'agent-a' }), T0 + 1_000), 'owned');
    evolve(state, recorded(draft('AgentUnreachable', { agentId: 'agent-a' }), T0 + 2_000), 'owned');
    evolve(state, recorded(agentA.reregistered(), T0 + 3_000), 'owned');
    expect(state.agents.get('agent-a')!.status).toBe('ACTIVE');
    expect(state.agents.attributesAndDrainStamp).toBe(stamp);
  });

  it('is replaced when an agent joins, changes attributes, starts or ends maintenance', () => {
    const state = cluster();
    const stamps = [state.agents.attributesAndDrainStamp];
    const changes = [
      anAgent('agent-c').registered(),
      agentA.withAttributes({ rack: 'r2' }).reregistered(),
      draft('AgentDrainStarted', { agentId: 'agent-b', deadline: null, deploymentIds: [] }),
      draft('AgentDrained', { agentId: 'agent-b' }),
      draft('AgentReactivated', { agentId: 'agent-b' }),
    ];
    for (const [i, change] of changes.entries()) {
      evolve(state, recorded(change, T0 + 1_000 * (i + 1)), 'owned');
      stamps.push(state.agents.attributesAndDrainStamp);
    }
    expect(new Set(stamps).size).toBe(stamps.length);
  });

  it('keeps an agent in maintenance across its re-registration, with the same stamp', () => {
    const state = cluster();
    evolve(
      state,
      recorded(draft('AgentDrainStarted', { agentId: 'agent-a', deadline: null, deploymentIds: [] }), T0),
      'owned',
    );
    const stamp = state.agents.attributesAndDrainStamp;
    evolve(state, recorded(agentA.reregistered(), T0 + 1_000), 'owned');
    expect(state.agents.get('agent-a')!.drain?.state).toBe('DRAINING');
    expect(state.agents.attributesAndDrainStamp).toBe(stamp);
  });
});
