import { ManualClock } from '@cairn/common';
import type { CommandBus } from '@nestjs/cqrs';
import type { CairnConfig } from '../config/cairn-config';
import type { MasterRuntime } from '../core/master-runtime';
import type { AgentGateway } from './agent-gateway';
import { SchedulerTicker } from './scheduler-ticker';

const TICK_MS = 1_000;

/** A ticker over a manual clock whose ticks are answered at once; `ticks` holds the clock time of each. */
function aTicker() {
  const clock = new ManualClock(Date.UTC(2026, 11, 7));
  const started = clock.now();
  const ticks: number[] = [];
  const commands = {
    execute: jest.fn(async () => {
      ticks.push(clock.now() - started);
      return { events: [], offset: null };
    }),
  } as unknown as CommandBus;
  const runtime = { isReady: true, ids: { uuid: () => 'seed' }, leaderSinceMs: 0 } as unknown as MasterRuntime;
  const gateway = { pingAll: jest.fn(), connectedAgentIds: () => [] } as unknown as AgentGateway;
  const config = { tickMs: TICK_MS, agentUnreachableMs: 60_000, taskLaunchTimeoutMs: 300_000 } as CairnConfig;
  const ticker = new SchedulerTicker(runtime, gateway, clock, config, commands);
  return { ticker, clock, ticks };
}

/** Lets the tick's promise chain and setImmediate callbacks run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('SchedulerTicker', () => {
  it('ticks every tickMs when nothing else ticks', async () => {
    const { ticker, clock, ticks } = aTicker();
    ticker.start();
    for (let i = 0; i < 3; i++) {
      clock.advance(TICK_MS);
      await settle();
    }
    expect(ticks).toEqual([1_000, 2_000, 3_000]);
    ticker.onApplicationShutdown();
  });

  it('counts the period from the end of the last tick, whatever started it: no periodic tick right after a demand tick', async () => {
    const { ticker, clock, ticks } = aTicker();
    ticker.start();
    clock.advance(900);
    ticker.tickSoon(); // demand changed at 900
    await settle();
    clock.advance(200); // 1,100: the periodic tick armed at 0 would have come at 1,000
    await settle();
    expect(ticks).toEqual([900]);
    clock.advance(800); // 1,900 = 900 + tickMs
    await settle();
    expect(ticks).toEqual([900, 1_900]);
    ticker.onApplicationShutdown();
  });

  it('a tick that starts does what a pending batched progress tick was armed for', async () => {
    const { ticker, clock, ticks } = aTicker();
    ticker.start();
    ticker.tickWithin(100); // a task's progress at 0
    clock.advance(50);
    ticker.tickSoon(); // a demand change at 50: this tick sees the progress too
    await settle();
    clock.advance(500);
    await settle();
    expect(ticks).toEqual([50]);
    // Progress after that tick is batched again.
    ticker.tickWithin(100);
    clock.advance(100);
    await settle();
    expect(ticks).toEqual([50, 650]);
    ticker.onApplicationShutdown();
  });
});
