import { marathonEnvironment, portsEnvironment } from './marathon-environment';
import type { TaskSpec } from './task-spec';

function aSpec(overrides: Partial<TaskSpec> = {}): TaskSpec {
  return {
    taskId: 'prod_web.0b1c2d3e-0000-4000-8000-000000000001',
    appId: '/prod/web',
    appVersion: '2026-01-01T00:00:00.000Z',
    command: { shell: true, value: 'sleep 30' },
    env: {},
    ports: [31000, 31001],
    host: 'agent-1.example',
    ...overrides,
  };
}

describe('marathonEnvironment', () => {
  it('exports the task context, ports and host as Marathon does', () => {
    expect(marathonEnvironment(aSpec(), { sandboxDir: '/work/sandboxes/t' })).toEqual({
      MESOS_SANDBOX: '/work/sandboxes/t',
      MESOS_TASK_ID: 'prod_web.0b1c2d3e-0000-4000-8000-000000000001',
      MARATHON_APP_ID: '/prod/web',
      MARATHON_APP_VERSION: '2026-01-01T00:00:00.000Z',
      PORT0: '31000',
      PORT1: '31001',
      PORT_31000: '31000',
      PORT_31001: '31001',
      PORT: '31000',
      PORTS: '31000,31001',
      HOST: 'agent-1.example',
    });
  });

  it("lets the app's env override every generated variable, as Marathon's TaskBuilder does", () => {
    const env = marathonEnvironment(aSpec({ env: { PORT0: '80', HOST: 'override', MESOS_SANDBOX: '/x', DB: 'pg' } }), {
      sandboxDir: '/work/sandboxes/t',
    });
    expect(env).toMatchObject({ PORT0: '80', HOST: 'override', MESOS_SANDBOX: '/x', DB: 'pg', PORT1: '31001' });
  });

  it('omits MESOS_SANDBOX when no sandbox is given', () => {
    expect(marathonEnvironment(aSpec())).not.toHaveProperty('MESOS_SANDBOX');
  });
});

describe('portsEnvironment', () => {
  const cases: {
    name: string;
    ports: number[];
    requested?: number[];
    names?: (string | undefined)[];
    want: Record<string, string>;
  }[] = [
    { name: 'no ports gives no variables at all, not even PORTS', ports: [], want: {} },
    {
      name: 'one dynamic port',
      ports: [31005],
      want: { PORT0: '31005', PORT_31005: '31005', PORT: '31005', PORTS: '31005' },
    },
    {
      name: 'a declared port is exported under its declared number',
      ports: [31005, 31006],
      requested: [10000, 0],
      want: {
        PORT0: '31005',
        PORT1: '31006',
        PORT_10000: '31005',
        PORT_31006: '31006',
        PORT: '31005',
        PORTS: '31005,31006',
      },
    },
    {
      name: 'named ports are upper-cased, unnamed ones skipped',
      ports: [31005, 31006, 31007],
      names: ['http', undefined, 'admin-api'],
      want: {
        PORT0: '31005',
        PORT1: '31006',
        PORT2: '31007',
        PORT_31005: '31005',
        PORT_31006: '31006',
        PORT_31007: '31007',
        PORT_HTTP: '31005',
        'PORT_ADMIN-API': '31007',
        PORT: '31005',
        PORTS: '31005,31006,31007',
      },
    },
  ];
  it.each(cases)('$name', ({ ports, requested, names, want }) => {
    expect(portsEnvironment(ports, requested, names)).toEqual(want);
  });
});
