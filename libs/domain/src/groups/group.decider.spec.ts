import { draft, type EventDraft } from '../command';
import { eventsOf, given, iso, meta, T0 } from '../testing/decider-spec';
import { ClusterScenario } from '../testing/cluster-scenario';
import { anAgent, reportStatus } from '../testing/cluster-builders';
import type { ChangeGroup, DeleteGroup, GroupSpecInput, ScaleGroup } from './group.commands';
import { appsWithin, childGroupsOf, groupExists } from './group-tree';
import { stateAfter } from '../testing/decider-spec';
import { GROUP_VERSIONS_MAX } from '../state';

const T1 = T0 + 60_000;
/** Group events are format level 3: the cluster must read it (a new log is raised at once). */
const RAISED = draft('ClusterVersionRaised', { version: 3, previous: 1, leader: 'm1:8080' });

const change = (group: GroupSpecInput, mode: ChangeGroup['mode'] = 'update', now = T0): ChangeGroup => ({
  kind: 'ChangeGroup',
  group,
  mode,
  // Forced: a spec changes a group whose first deployment (no agents here) is still in progress.
  force: true,
  meta: meta(now),
});
const scale = (groupId: string, scaleBy: number, now = T1): ScaleGroup => ({
  kind: 'ScaleGroup',
  groupId,
  scaleBy,
  force: true,
  meta: meta(now),
});
const remove = (groupId: string, now = T1): DeleteGroup => ({
  kind: 'DeleteGroup',
  groupId,
  force: true,
  meta: meta(now),
});
const app = (id: string, extra: Record<string, unknown> = {}) => ({ id, cmd: 'sleep 1000', instances: 1, ...extra });

/** The events of a command decided on the events before it, and the state after both. */
function run(before: readonly EventDraft[], command: ChangeGroup | ScaleGroup | DeleteGroup) {
  let produced: EventDraft[] = [];
  given([RAISED, ...before])
    .when(command)
    .thenState((_state, events) => (produced = events));
  return { events: produced, state: stateAfter([RAISED, ...before, ...produced]) };
}

const product: GroupSpecInput = {
  id: '/product',
  groups: [
    { id: '/product/database', apps: [app('/product/database/mysql'), app('/product/database/mongo')] },
    { id: '/product/service', dependencies: ['/product/database'], apps: [app('/product/service/rails')] },
  ],
};

describe('ChangeGroup', () => {
  it('creates the groups and their apps in ONE deployment whose steps follow group dependencies', () => {
    const { events, state } = run([], change(product, 'create'));
    expect(eventsOf(events, 'GroupCreated').map((e) => e.group.id)).toEqual([
      '/product',
      '/product/database',
      '/product/service',
    ]);
    expect(eventsOf(events, 'GroupCreated')[2]!.group.dependencies).toEqual(['/product/database']);
    expect(eventsOf(events, 'AppCreated').map((e) => e.app.id)).toEqual([
      '/product/database/mysql',
      '/product/database/mongo',
      '/product/service/rails',
    ]);
    const [deployment, ...others] = eventsOf(events, 'DeploymentStarted');
    expect(others).toHaveLength(0);
    // The service's app waits for both database apps: it is a step of its own after theirs.
    const scaleSteps = deployment!.steps.filter((s) => s.actions.every((a) => a.action === 'ScaleApplication'));
    expect(scaleSteps.map((s) => s.actions.map((a) => a.app))).toEqual([
      ['/product/database/mongo', '/product/database/mysql'],
      ['/product/service/rails'],
    ]);
    expect(state.groups.get('/product/service')?.dependencies).toEqual(['/product/database']);
    expect(childGroupsOf(state, '/product')).toEqual(['/product/database', '/product/service']);
  });

  it('refuses to create a group that exists, also implicitly through an app path (409)', () => {
    const created = run([], change(product, 'create')).events;
    given([RAISED, ...created])
      .when(change({ id: '/product' }, 'create', T1))
      .thenThrows('conflict', 'Group /product is already created. Use PUT to change this group.');
    given([RAISED, ...created])
      .when(change({ id: '/product/database' }, 'create', T1))
      .thenThrows('conflict', /already created/);
  });

  it('PUT replaces the lists it is given: apps and subgroups missing from them are removed', () => {
    const created = run([], change(product, 'create')).events;
    const { events, state } = run(
      created,
      change(
        { id: '/product', groups: [{ id: '/product/database', apps: [app('/product/database/mysql')] }] },
        'update',
        T1,
      ),
    );
    expect(eventsOf(events, 'AppDeleted').map((e) => e.appId)).toEqual([
      '/product/database/mongo',
      '/product/service/rails',
    ]);
    expect(eventsOf(events, 'GroupDeleted').map((e) => e.groupId)).toEqual(['/product/service']);
    expect([...state.apps.keys()]).toEqual(['/product/database/mysql']);
    expect(groupExists(state, '/product/service')).toBe(false);
  });

  it('PUT without `apps` keeps the apps; with the same definitions it changes no app', () => {
    const created = run([], change(product, 'create')).events;
    const { events } = run(created, change({ id: '/product/service', dependencies: [] }, 'update', T1));
    expect(events.map((e) => e.type)).toEqual(['GroupUpdated']);
    expect(eventsOf(events, 'GroupUpdated')[0]!.group.dependencies).toEqual([]);
  });

  it('PATCH merges an app onto its current definition and removes nothing', () => {
    const created = run([], change(product, 'create')).events;
    const { state } = run(
      created,
      change({ id: '/product/database', apps: [{ id: '/product/database/mysql', instances: 3 }] }, 'patch', T1),
    );
    expect(state.apps.get('/product/database/mysql')?.instances).toBe(3);
    expect(state.apps.get('/product/database/mysql')?.cmd).toBe('sleep 1000');
    expect(state.apps.has('/product/database/mongo')).toBe(true);
  });

  it('refuses an app that is not a direct child, and a group id held by an app', () => {
    given([RAISED])
      .when(change({ id: '/a', apps: [app('/a/b/c')] }))
      .thenThrows('invalid', "App '/a/b/c' is not a direct child of group '/a'");
    const web = run([], change({ id: '/', apps: [app('/web')] })).events;
    given([RAISED, ...web])
      .when(change({ id: '/web' }, 'update', T1))
      .thenThrows('conflict', /An app with id \[\/web\] exists/);
    given([RAISED, ...web])
      .when(change({ id: '/web/inner' }, 'create', T1))
      .thenThrows('conflict', /An app with id \[\/web\] exists: a group cannot have its id or be within it/);
  });

  it('is refused below cluster version 3 (a master of the previous release could not read it)', () => {
    given([])
      .when(change(product, 'create'))
      .thenThrows('conflict', /needs cluster version 3/);
  });

  it('an app created later through /v2/apps still starts after its group dependencies (one plan)', () => {
    // A new /product/service app and a new database app in one bulk change: the group orders them.
    const groups = run(
      [],
      change({ id: '/product', groups: [{ id: '/product/service', dependencies: ['/product/database'] }] }, 'create'),
    ).events;
    let produced: EventDraft[] = [];
    given([RAISED, ...groups])
      .when({
        kind: 'UpdateApps',
        apps: [
          { appId: '/product/service/api', body: app('/product/service/api') },
          { appId: '/product/database/pg', body: app('/product/database/pg') },
        ],
        partial: true,
        force: false,
        mustExist: false,
        meta: meta(T1),
      })
      .thenState((_s, events) => (produced = events));
    const steps = eventsOf(produced, 'DeploymentStarted')[0]!.steps.filter((s) =>
      s.actions.every((a) => a.action === 'ScaleApplication'),
    );
    expect(steps.map((s) => s.actions.map((a) => a.app))).toEqual([['/product/database/pg'], ['/product/service/api']]);
  });

  it('keeps at most GROUP_VERSIONS_MAX versions per group', () => {
    let events: EventDraft[] = [];
    for (let i = 0; i < GROUP_VERSIONS_MAX + 3; i++) {
      events = [...events, ...run(events, change({ id: '/g', dependencies: [`/d${i}`] }, 'update', T0 + i)).events];
    }
    const state = stateAfter([RAISED, ...events]);
    expect(state.groups.get('/g')?.versions).toHaveLength(GROUP_VERSIONS_MAX);
    expect(state.groups.get('/g')?.versions.at(-1)).toBe(new Date(T0 + GROUP_VERSIONS_MAX + 2).toISOString());
  });
});

describe('ScaleGroup', () => {
  it("scales every app within the group by the factor, rounded up (Marathon's scaleBy)", () => {
    const created = run(
      [],
      change(
        {
          id: '/s',
          apps: [app('/s/a', { instances: 3 })],
          groups: [{ id: '/s/t', apps: [app('/s/t/b', { instances: 1 })] }],
        },
        'create',
      ),
    ).events;
    const { events, state } = run(created, scale('/s', 1.1));
    expect(eventsOf(events, 'AppScaled').map((e) => [e.appId, e.instances])).toEqual([
      ['/s/a', 4],
      ['/s/t/b', 2],
    ]);
    expect(appsWithin(state, '/s').map((id) => state.apps.get(id)?.instances)).toEqual([4, 2]);
  });

  it('refuses a factor that would give an uncountable number of instances', () => {
    const created = run([], change({ id: '/s', apps: [app('/s/a', { instances: 3 })] }, 'create')).events;
    given([RAISED, ...created])
      .when(scale('/s', 1e308))
      .thenThrows('invalid', /more instances than can be counted/);
  });

  it('refuses a group that does not exist (404)', () => {
    given([RAISED]).when(scale('/nope', 2)).thenThrows('not-found', "Group '/nope' does not exist");
  });
});

describe('DeleteGroup', () => {
  it('deletes every app and group within, in one deployment', () => {
    const created = run([], change(product, 'create')).events;
    const { events, state } = run(created, remove('/product'));
    expect(eventsOf(events, 'AppDeleted')).toHaveLength(3);
    expect(eventsOf(events, 'GroupDeleted').map((e) => e.groupId)).toEqual([
      '/product',
      '/product/database',
      '/product/service',
    ]);
    expect(eventsOf(events, 'DeploymentStarted')).toHaveLength(1);
    expect(state.apps.size).toBe(0);
    expect(state.groups.size).toBe(0);
  });

  it('deletes an implicit group (the apps under a path) and refuses an unknown one', () => {
    const web = run([], change({ id: '/', apps: [app('/web')] })).events;
    given([RAISED, ...web])
      .when(remove('/nope'))
      .thenThrows('not-found', "Group '/nope' does not exist");
    const { state } = run(web, remove('/'));
    expect(state.apps.size).toBe(0);
  });
});

describe('a group deployment on a cluster', () => {
  const check = {
    protocol: 'HTTP',
    path: '/',
    portIndex: 0,
    gracePeriodSeconds: 5,
    intervalSeconds: 1,
    timeoutSeconds: 1,
    maxConsecutiveFailures: 3,
  };

  it.each([
    ['', false],
    [', also when an app that fits nowhere made the agent decline (its step revives offers)', true],
  ])(
    'launches nothing for the dependent app until its dependency is healthy (its step comes later)%s',
    (_name, huge) => {
      const s = new ClusterScenario();
      s.given([RAISED]);
      s.run(anAgent('a1').register());
      if (huge) {
        s.run({ kind: 'CreateApp', app: app('/huge', { cpus: 1000 }), force: false, meta: meta(T0 + 500) });
        s.tick(T0 + 600); // the offer is declined: the agent is filtered for DECLINE_REFUSE_MS
      }
      const small = { cpus: 0.1, mem: 16 };
      s.run(
        change(
          {
            id: '/p',
            groups: [
              { id: '/p/db', apps: [app('/p/db/pg', { ...small, healthChecks: [check] })] },
              { id: '/p/svc', dependencies: ['/p/db'], apps: [app('/p/svc/api', small)] },
            ],
          },
          'create',
          T0 + 1_000,
        ),
      );
      s.tick(T0 + 2_000);
      expect(s.tasksOf('/p/db/pg')).toHaveLength(1);
      expect(s.tasksOf('/p/svc/api')).toHaveLength(0);
      s.reportAll(T0 + 3_000);
      s.tick(T0 + 4_000);
      // Running but not healthy yet: still nothing for the api.
      expect(s.tasksOf('/p/svc/api')).toHaveLength(0);
      const [pg] = s.tasksOf('/p/db/pg');
      s.run({
        ...reportStatus(pg!.taskId, 'a1', 'TASK_RUNNING', { updateId: 'h1', now: T0 + 5_000 }),
        health: {
          checkIndex: 0,
          alive: true,
          consecutiveFailures: 0,
          firstSuccess: iso(T0 + 5_000),
          lastSuccess: iso(T0 + 5_000),
          lastFailure: null,
          lastFailureCause: null,
        },
      });
      s.tick(T0 + 6_000); // the database's step is done
      s.tick(T0 + 7_000); // the api's step launches it
      expect(s.tasksOf('/p/svc/api')).toHaveLength(1);
    },
  );
});
