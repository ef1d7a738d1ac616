import { parseAppEmbed } from './app-embed';

const NONE = {
  counts: false,
  deployments: false,
  tasks: false,
  lastTaskFailure: false,
  readiness: false,
  taskStats: false,
};

describe('parseAppEmbed', () => {
  it('the list always embeds counts and deployments, and tasks only when asked', () => {
    expect(parseAppEmbed(undefined, 'list')).toEqual({ ...NONE, counts: true, deployments: true });
    expect(parseAppEmbed('apps.tasks', 'list')).toEqual({ ...NONE, counts: true, deployments: true, tasks: true });
  });

  it('a single app always embeds counts, tasks, lastTaskFailure and deployments', () => {
    expect(parseAppEmbed(undefined, 'single')).toEqual({
      ...NONE,
      counts: true,
      deployments: true,
      tasks: true,
      lastTaskFailure: true,
    });
  });

  it.each(['app.readiness', 'apps.readiness', 'group.apps.readiness', 'readiness'])(
    'strips the prefix of %s',
    (raw) => {
      expect(parseAppEmbed(raw, 'list').readiness).toBe(true);
    },
  );

  it('tasks turns on deployments', () => {
    expect(parseAppEmbed(['app.tasks'], 'list')).toMatchObject({ tasks: true, deployments: true });
  });

  it('failures is tasks, lastTaskFailure and deployments', () => {
    expect(parseAppEmbed('apps.failures', 'list')).toEqual({
      ...NONE,
      counts: true,
      deployments: true,
      tasks: true,
      lastTaskFailure: true,
    });
  });

  it('takes repeated values, taskStats included', () => {
    expect(parseAppEmbed(['app.taskStats', 'app.lastTaskFailure'], 'list')).toEqual({
      ...NONE,
      counts: true,
      deployments: true,
      taskStats: true,
      lastTaskFailure: true,
    });
  });

  it('ignores unknown values (and prototype names)', () => {
    expect(parseAppEmbed(['app.bogus', 'constructor', 'apps.toString', 'tasksStats'], 'list')).toEqual(
      parseAppEmbed(undefined, 'list'),
    );
  });
});
