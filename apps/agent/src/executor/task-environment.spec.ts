import { inheritedEnvironment, taskEnvironment } from './task-environment';
import type { TaskSpec } from './task-spec';

const spec: TaskSpec = {
  taskId: 't1',
  appId: '/a',
  appVersion: 'v1',
  command: { shell: true, value: 'true' },
  env: { FOO: 'app' },
  ports: [31000],
  host: 'h',
};

describe('task environment', () => {
  it('never passes CAIRN_* variables (the agent token) to a task', () => {
    const inherited = inheritedEnvironment({
      PATH: '/bin',
      CAIRN_AGENT_TOKEN: 'secret',
      CAIRN_PORT: '1',
      X: undefined,
    });
    expect(inherited).toEqual({ PATH: '/bin' });
  });

  it("lays Marathon's variables over the inherited ones", () => {
    const env = taskEnvironment({ PATH: '/bin', PORT0: 'agent', FOO: 'agent' }, spec, '/sb');
    expect(env).toMatchObject({ PATH: '/bin', PORT0: '31000', FOO: 'app', MESOS_SANDBOX: '/sb', MESOS_TASK_ID: 't1' });
  });
});
