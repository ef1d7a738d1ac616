import type { ResetLaunchDelay } from './scheduler.commands';
import { given, meta, recorded, T0 } from '../testing/decider-spec';
import { anAgent, appCreated, aTask, launchDelayed } from '../testing/cluster-builders';
import { draft } from '../command';
import { launchQueue } from './launch-queue';

const T1 = T0 + 10_000;
const reset = (appId: string): ResetLaunchDelay => ({ kind: 'ResetLaunchDelay', appId, meta: meta(T1) });

describe('ResetLaunchDelay (DELETE /v2/queue/{id}/delay)', () => {
  const waiting = [recorded(appCreated('/web', { instances: 1 }), T0), recorded(launchDelayed('/web', 3, T1 + 60_000))];

  it('clears the backoff of a queued app, so it launches at once', () => {
    given(waiting)
      .when(reset('/web'))
      .thenState((state, events) => {
        expect(events).toEqual([draft('LaunchDelayReset', { appId: '/web' })]);
        expect(state.launchDelays.has('/web')).toBe(false);
        expect(launchQueue(state, T1)[0]).toMatchObject({ count: 1, delayedUntilMs: null });
      });
  });

  it('a queued app without a delay needs no event', () => {
    given([recorded(appCreated('/web', { instances: 1 }), T0)])
      .when(reset('/web'))
      .thenNothingHappened();
  });

  it("an app with nothing to launch is Marathon's 404", () => {
    const running = [
      recorded(anAgent('a1').registered(), T0),
      recorded(appCreated('/web', { instances: 1 }), T0),
      ...aTask('/web', 'web.1')
        .onAgent('a1')
        .running()
        .map((d) => recorded(d, T0)),
    ];
    given(running).when(reset('/web')).thenThrows('not-found', 'Application /web not found in tasks queue.');
    given([]).when(reset('/nope')).thenThrows('not-found');
  });
});
