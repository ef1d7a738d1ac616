import { SystemClock } from '@cairn/common';
import { ConfigError, loadConfig } from '../config/cairn-config';
import { ELECTION_TIMEOUT_BUDGET_FACTOR, EventLoopMonitor, SYNC_WORK_BUDGET_MS } from './event-loop-monitor';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('EventLoopMonitor', () => {
  it('reports a synchronous stall in its maximum and nothing before it starts', async () => {
    const monitor = new EventLoopMonitor(new SystemClock());
    expect(monitor.snapshot()).toEqual({
      delayP50Ms: 0,
      delayP99Ms: 0,
      delayMaxMs: 0,
      sinceMs: 0,
      budgetMs: SYNC_WORK_BUDGET_MS,
    });
    monitor.start();
    try {
      await sleep(50);
      const stallUntil = Date.now() + 150;
      while (Date.now() < stallUntil) {
        // a synchronous stall of 150 ms
      }
      await sleep(50);
      const delay = monitor.snapshot();
      expect(delay.delayMaxMs).toBeGreaterThanOrEqual(100);
      expect(delay.delayP50Ms).toBeLessThanOrEqual(delay.delayP99Ms);
      expect(delay.delayP99Ms).toBeLessThanOrEqual(delay.delayMaxMs);
      expect(delay.sinceMs).toBeGreaterThanOrEqual(200);
    } finally {
      monitor.stop();
    }
  });
});

describe('the stall budget at start', () => {
  const floor = ELECTION_TIMEOUT_BUDGET_FACTOR * SYNC_WORK_BUDGET_MS;

  it('refuses an election timeout below the budget times the factor', () => {
    const env = { CAIRN_ELECTION_HEARTBEAT_MS: '20', CAIRN_ELECTION_TIMEOUT_MS: String(floor - 1) };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(/CAIRN_ELECTION_TIMEOUT_MS \(199\) must be at least 4 × .*50 ms/);
  });

  it('accepts the floor itself and the defaults', () => {
    expect(loadConfig({ CAIRN_ELECTION_HEARTBEAT_MS: '20', CAIRN_ELECTION_TIMEOUT_MS: String(floor) })).toMatchObject({
      electionTimeoutMs: floor,
    });
    expect(loadConfig({}).electionTimeoutMs).toBeGreaterThanOrEqual(floor);
  });
});
