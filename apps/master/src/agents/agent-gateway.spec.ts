import { initialState } from '@cairn/domain';
import type { AgentChannel, AgentCommandMessage } from './agent-channel';
import { AGENT_SILENCE_MS, AgentGateway } from './agent-gateway';

function channel() {
  const sent: AgentCommandMessage[] = [];
  const calls = { closed: 0, dropped: 0 };
  const c: AgentChannel = {
    send: (message) => sent.push(message),
    close: () => calls.closed++,
    drop: () => calls.dropped++,
  };
  return { channel: c, sent, calls };
}

describe('AgentGateway liveness', () => {
  it('drops the stream of an agent that answers pings once a ping stayed unanswered past AGENT_SILENCE_MS', () => {
    const gateway = new AgentGateway();
    const a = channel();
    gateway.connect('a', a.channel, '10.0.0.1', initialState(), { answersPings: true, nowMs: 1_000 });
    gateway.pingAll(6_000);
    expect(a.sent).toEqual([{ type: 'ping' }]);
    gateway.heard('a', 6_100); // its pong
    gateway.pingAll(11_000); // unanswered from here on
    gateway.pingAll(16_000);
    gateway.pingAll(11_000 + AGENT_SILENCE_MS);
    expect(a.calls.dropped).toBe(0);
    gateway.pingAll(11_000 + AGENT_SILENCE_MS + 1);
    expect(a.calls.dropped).toBe(1);
    expect(a.sent).toHaveLength(4); // no ping to a dropped stream
  });

  it("does not take the master's own silence for the agent's: after a long gap without pings, its first ping gets the whole allowance", () => {
    const gateway = new AgentGateway();
    const a = channel();
    gateway.connect('a', a.channel, '10.0.0.1', initialState(), { answersPings: true, nowMs: 0 });
    // The master pinged no one for 10 × the allowance (its loop or tick held up): nothing was asked.
    gateway.pingAll(10 * AGENT_SILENCE_MS);
    expect(a.calls.dropped).toBe(0);
    gateway.heard('a', 10 * AGENT_SILENCE_MS + 50);
    gateway.pingAll(11 * AGENT_SILENCE_MS);
    gateway.pingAll(12 * AGENT_SILENCE_MS + 1);
    expect(a.calls.dropped).toBe(1); // its own silence, once it was asked, still counts
  });

  it('never drops an agent that does not answer pings (an older agent): only a broken connection ends it', () => {
    const gateway = new AgentGateway();
    const old = channel();
    gateway.connect('old', old.channel, '10.0.0.2', initialState());
    gateway.pingAll(10 * AGENT_SILENCE_MS);
    expect(old.calls.dropped).toBe(0);
    expect(old.sent).toEqual([{ type: 'ping' }]);
    expect(gateway.isConnected('old')).toBe(true);
  });

  it('a channel without drop() is closed instead', () => {
    const gateway = new AgentGateway();
    let closed = 0;
    gateway.connect('c', { send: () => undefined, close: () => closed++ }, '10.0.0.3', initialState(), {
      answersPings: true,
      nowMs: 0,
    });
    gateway.pingAll(1);
    gateway.pingAll(AGENT_SILENCE_MS + 2);
    expect(closed).toBe(1);
  });
});
