import { draft } from '../command';
import { given, recorded, T0 } from '../testing/decider-spec';
import {
  agentDisconnected,
  agentUnreachable,
  anAgent,
  appCreated,
  aTask,
  disconnectAgent,
  killRequested,
  launchDelayed,
  statusUpdated,
} from '../testing/cluster-builders';

const SECOND_MS = 1_000;
const appDeleted = (appId: string) => draft('AppDeleted', { appId });
const T1 = T0 + 10 * SECOND_MS;

const a1 = anAgent('a1').withResources('cpus:4;mem:4096;disk:100;ports:[31000-31009]');
const a2 = anAgent('a2');
const web = appCreated('/web', { instances: 2 });
const web1 = aTask('/web', 'web.1').onAgent('a1').withResources('cpus:1;mem:128;ports:[31000-31000]');
const web2 = aTask('/web', 'web.2').onAgent('a1').withResources('cpus:1;mem:128;ports:[31001-31001]');
const onA2 = aTask('/web', 'web.on-a2').onAgent('a2');

/** The reconciliation answer for a task the log places on an agent that came back without it. */
const gone = (taskId: string, agentId: string) =>
  statusUpdated(taskId, agentId, 'TASK_GONE', null, {
    reason: 'REASON_RECONCILIATION',
    message: 'the agent re-registered without this task',
  });

describe('RegisterAgent', () => {
  it('a new agent is registered under the id the caller chose, with what it advertises', () => {
    const agent = anAgent('fresh')
      .withHostname('host-7')
      .withResources('cpus:2;mem:1024;ports:[31000-31099]')
      .withAttributes({ rack: 'a' })
      .withCapabilities(['MESOS']);
    given([]).when(agent.register()).then([agent.registered()]);
  });

  it('records only the capabilities this release can run (a DOCKER claim is dropped)', () => {
    const claims = anAgent('fresh').withCapabilities(['MESOS', 'DOCKER']);
    given([])
      .when(claims.register())
      .thenState((state) => expect(state.agents.get('fresh')?.capabilities).toEqual(['MESOS']));
  });

  it('refuses a new agent id that is already taken (a repeated id seed must not take over an agent)', () => {
    given([anAgent('fresh').registered()])
      .when({ ...anAgent('other').register(), agentId: null, newAgentId: 'fresh' })
      .thenThrows('conflict', 'agent id fresh is taken; register again');
  });

  it('a first registration reports nothing to reconcile: the agent is ACTIVE since the decision time', () => {
    given([])
      .when(a1.register({ now: T1 }))
      .thenState((state) => {
        expect(state.agents.get('a1')).toMatchObject({ agentId: 'a1', status: 'ACTIVE', sinceMs: T1 });
      });
  });

  it('a known id re-registers with the tasks it runs, and tasks it runs as the log says change nothing', () => {
    given([a1.registered(), web, ...web1.running(), web2.launched()])
      .when(
        a1.reregister([
          { taskId: 'web.1', state: 'TASK_RUNNING' },
          { taskId: 'web.2', state: 'TASK_STAGING' },
        ]),
      )
      .then([
        a1.reregistered([
          { taskId: 'web.1', state: 'TASK_RUNNING' },
          { taskId: 'web.2', state: 'TASK_STAGING' },
        ]),
      ]);
  });

  it('a disconnected agent that comes back is ACTIVE again from the re-registration time', () => {
    given([a1.registered(), recorded(agentDisconnected('a1'), T0 + SECOND_MS)])
      .when(a1.reregister([], { now: T1 }))
      .thenState((state) => expect(state.agents.get('a1')).toMatchObject({ status: 'ACTIVE', sinceMs: T1 }));
  });

  describe('reconciliation', () => {
    it('a task the log places on the agent that the agent lacks is GONE, and its app backs off', () => {
      given([a1.registered(), web, ...web1.running(), ...web2.running()])
        .when(a1.reregister([{ taskId: 'web.1', state: 'TASK_RUNNING' }], { now: T1 }))
        .then([
          a1.reregistered([{ taskId: 'web.1', state: 'TASK_RUNNING' }]),
          gone('web.2', 'a1'),
          // backoffSeconds 1 (Marathon's default): the first failure delays by 1 s.
          launchDelayed('/web', 1, T1 + SECOND_MS),
        ]);
    });

    it('a STAGING task the agent lacks is not gone: its launch was lost with a stream, and is sent again', () => {
      // E.g. the leader died right after deciding the launch: the agent re-registers with the next one
      // without it, and the gateway sends every STAGING task's launch when the stream opens.
      given([a1.registered(), web, ...web1.running(), web2.launched()])
        .when(a1.reregister([{ taskId: 'web.1', state: 'TASK_RUNNING' }], { now: T1 }))
        .then([a1.reregistered([{ taskId: 'web.1', state: 'TASK_RUNNING' }])]);
    });

    it('a GONE task is expunged, recorded as the app last failure, and no longer counts', () => {
      given([a1.registered(), web, ...web1.running(), ...web2.running()])
        .when(a1.reregister([{ taskId: 'web.1', state: 'TASK_RUNNING' }], { now: T1 }))
        .thenState((state) => {
          expect([...state.tasks.keys()]).toEqual(['web.1']);
          expect(state.lastTaskFailure.get('/web')).toMatchObject({
            taskId: 'web.2',
            state: 'TASK_GONE',
            slaveId: 'a1',
          });
          expect(state.launchDelays.get('/web')).toEqual({ failures: 1, untilMs: T1 + SECOND_MS });
        });
    });

    it('a missing task whose kill was requested is GONE without a backoff (its end was wanted)', () => {
      given([a1.registered(), web, web1.launched(), killRequested('web.1', 'a1', 'scaled down')])
        .when(a1.reregister([], { now: T1 }))
        .then([a1.reregistered([]), gone('web.1', 'a1')]);
    });

    it('a missing task of an app deleted without a kill request is GONE without a backoff (no app to delay)', () => {
      // DeleteApp requests the kills; a log that lacks them (an older writer) must still reconcile.
      given([a1.registered(), appCreated('/old'), aTask('/old', 'old.1').onAgent('a1').launched(), appDeleted('/old')])
        .when(a1.reregister([], { now: T1 }))
        .then([a1.reregistered([]), gone('old.1', 'a1')]);
    });

    it('a task the agent runs that the log does not know is killed', () => {
      given([a1.registered(), web])
        .when(a1.reregister([{ taskId: 'web.stray', state: 'TASK_RUNNING' }]))
        .then([
          a1.reregistered([{ taskId: 'web.stray', state: 'TASK_RUNNING' }]),
          killRequested('web.stray', 'a1', 'the log does not place this task on this agent'),
        ]);
    });

    it('a task the agent runs that the log places on another agent is killed on this one', () => {
      given([a1.registered(), a2.registered(), web, ...onA2.running()])
        .when(a1.reregister([{ taskId: 'web.on-a2', state: 'TASK_RUNNING' }]))
        .then([
          a1.reregistered([{ taskId: 'web.on-a2', state: 'TASK_RUNNING' }]),
          killRequested('web.on-a2', 'a1', 'the log does not place this task on this agent'),
        ]);
    });

    it('a terminal task the agent reports is not killed, known to the log or not', () => {
      given([a1.registered(), web, ...web1.running()])
        .when(
          a1.reregister([
            { taskId: 'web.1', state: 'TASK_FAILED' },
            { taskId: 'web.unknown-and-done', state: 'TASK_FINISHED' },
          ]),
        )
        .then([
          a1.reregistered([
            { taskId: 'web.1', state: 'TASK_FAILED' },
            { taskId: 'web.unknown-and-done', state: 'TASK_FINISHED' },
          ]),
        ]);
    });

    it('an agent with an id the log never saw registers under that id and its tasks are killed', () => {
      given([web])
        .when(a1.reregister([{ taskId: 'web.from-another-cluster', state: 'TASK_RUNNING' }]))
        .then([
          a1.registered(),
          killRequested('web.from-another-cluster', 'a1', 'the log does not place this task on this agent'),
        ]);
    });

    it('two tasks of one app gone in one registration count as two failures (backoff grows per failure)', () => {
      // Marathon calls addDelay once per failed task; a batch must not lose one of them.
      given([a1.registered(), web, ...web1.running(), ...web2.running()])
        .when(a1.reregister([], { now: T1 }))
        .then([
          a1.reregistered([]),
          gone('web.1', 'a1'),
          launchDelayed('/web', 1, T1 + SECOND_MS),
          gone('web.2', 'a1'),
          // backoffSeconds 1 * backoffFactor 1.15 ^ (2 - 1) = 1.15 s
          launchDelayed('/web', 2, T1 + 1_150),
        ]);
    });
  });
});

describe('DisconnectAgent', () => {
  it('an ACTIVE agent is disconnected', () => {
    given([a1.registered()])
      .when(disconnectAgent('a1'))
      .then([agentDisconnected('a1')]);
  });

  it('the disconnection time is when the unreachable timeout starts', () => {
    given([a1.registered()])
      .when(disconnectAgent('a1', T1))
      .thenState((state) => expect(state.agents.get('a1')).toMatchObject({ status: 'DISCONNECTED', sinceMs: T1 }));
  });

  it('an agent already disconnected changes nothing (the timeout keeps its start)', () => {
    given([a1.registered(), agentDisconnected('a1')])
      .when(disconnectAgent('a1', T1))
      .thenNothingHappened();
  });

  it('an unreachable agent changes nothing', () => {
    given([a1.registered(), agentDisconnected('a1'), agentUnreachable('a1')])
      .when(disconnectAgent('a1', T1))
      .thenNothingHappened();
  });

  it('an agent the log does not know changes nothing', () => {
    given([]).when(disconnectAgent('nobody')).thenNothingHappened();
  });

  it('a disconnected agent keeps its tasks: they still count until it is unreachable', () => {
    given([a1.registered(), web, ...web1.running()])
      .when(disconnectAgent('a1', T1))
      .thenState((state) => expect(state.tasks.get('web.1')).toMatchObject({ state: 'TASK_RUNNING', agentId: 'a1' }));
  });
});
