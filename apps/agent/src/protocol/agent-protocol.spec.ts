import { parseCommandLine } from './agent-protocol';

describe('parseCommandLine', () => {
  it('reads a launch, filling the optional parts', () => {
    const parsed = parseCommandLine(
      JSON.stringify({
        type: 'launch',
        task: {
          taskId: 'web.1',
          appId: '/web',
          appVersion: 'v1',
          command: { shell: true, value: 'sleep 30' },
          portNames: ['http', null],
          ports: [31000, 31001],
        },
      }),
    );
    expect(parsed).toEqual({
      ok: true,
      command: {
        type: 'launch',
        task: {
          taskId: 'web.1',
          appId: '/web',
          appVersion: 'v1',
          command: { shell: true, value: 'sleep 30' },
          env: {},
          ports: [31000, 31001],
          portNames: ['http', null],
          healthChecks: [],
          readinessChecks: [],
          fetch: [],
        },
      },
    });
  });

  it("reads fetch artifacts, filling Marathon's Artifact defaults", () => {
    const parsed = launchWith({
      fetch: [{ uri: 'http://h/a.tgz' }, { uri: 'file:///x', extract: false, executable: true, destPath: 'bin/x' }],
    });
    expect(parsed.ok && parsed.command.type === 'launch' && parsed.command.task.fetch).toEqual([
      { uri: 'http://h/a.tgz', extract: true, executable: false, cache: false, destPath: null },
      { uri: 'file:///x', extract: false, executable: true, cache: false, destPath: 'bin/x' },
    ]);
  });

  const launchWith = (task: Record<string, unknown>) =>
    parseCommandLine(
      JSON.stringify({
        type: 'launch',
        task: { taskId: 'web.1', appId: '/web', appVersion: 'v1', command: { shell: true, value: 'x' }, ...task },
      }),
    );

  it('reads health and readiness checks, filling what a master left out with Marathon defaults', () => {
    const parsed = launchWith({
      ports: [31000],
      healthChecks: [{ protocol: 'MESOS_HTTP', path: '/health', portIndex: 0 }],
      readinessChecks: [{ protocol: 'HTTP', httpStatusCodesForReady: [200, 204] }],
    });
    expect(parsed).toMatchObject({
      ok: true,
      command: {
        task: {
          healthChecks: [
            {
              protocol: 'MESOS_HTTP',
              path: '/health',
              portIndex: 0,
              port: null,
              command: null,
              gracePeriodSeconds: 300,
              intervalSeconds: 60,
              timeoutSeconds: 20,
              maxConsecutiveFailures: 3,
              delaySeconds: 15,
              ignoreHttp1xx: false,
            },
          ],
          readinessChecks: [
            {
              name: 'readinessCheck',
              protocol: 'HTTP',
              path: '/',
              portIndex: 0,
              intervalSeconds: 30,
              timeoutSeconds: 10,
              httpStatusCodesForReady: [200, 204],
            },
          ],
        },
      },
    });
  });

  it.each([
    {
      name: 'a portIndex past the ports',
      task: { ports: [31000], healthChecks: [{ protocol: 'HTTP', portIndex: 1 }] },
      want: /portIndex 1 names no port[\s\S]*healthChecks\[0\]/,
    },
    {
      name: 'no port and no portIndex on a task with two ports',
      task: { ports: [31000, 31001], healthChecks: [{ protocol: 'TCP' }] },
      want: /needs port or portIndex/,
    },
    {
      name: 'a COMMAND check without a command',
      task: { healthChecks: [{ protocol: 'COMMAND', command: ' ' }] },
      want: /COMMAND check needs a command/,
    },
    {
      name: 'a readiness check on a port the task lacks',
      task: { ports: [], readinessChecks: [{ protocol: 'HTTP', portIndex: 0 }] },
      want: /names no port[\s\S]*readinessChecks\[0\]/,
    },
    {
      name: 'an unknown protocol',
      task: { ports: [31000], healthChecks: [{ protocol: 'UDP' }] },
      want: /protocol/,
    },
  ])('refuses a launch whose check cannot run: $name', ({ task, want }) => {
    const parsed = launchWith(task);
    expect(parsed).toMatchObject({ ok: false, kind: 'invalid', taskId: 'web.1' });
    expect(parsed.ok ? '' : (parsed as { reason: string }).reason).toMatch(want);
  });

  it('takes an explicit port over portIndex, and the only port when neither is given', () => {
    expect(launchWith({ ports: [], healthChecks: [{ protocol: 'TCP', port: 8080 }] })).toMatchObject({ ok: true });
    expect(launchWith({ ports: [31000], healthChecks: [{ protocol: 'HTTP' }] })).toMatchObject({ ok: true });
    expect(launchWith({ ports: [31000], healthChecks: [{ protocol: 'HTTP', port: 0 }] })).toMatchObject({ ok: true });
    expect(launchWith({ ports: [], healthChecks: [{ protocol: 'HTTP', port: 0 }] })).toMatchObject({ ok: false });
  });

  it('reads kill and ping', () => {
    expect(parseCommandLine('{"type":"kill","taskId":"web.1","gracePeriodSeconds":3}')).toEqual({
      ok: true,
      command: { type: 'kill', taskId: 'web.1', gracePeriodSeconds: 3 },
    });
    expect(parseCommandLine('{"type":"ping"}')).toEqual({ ok: true, command: { type: 'ping' } });
  });

  it('skips command types it does not know (a newer master)', () => {
    expect(parseCommandLine('{"type":"reconcile","tasks":[]}')).toEqual({
      ok: false,
      kind: 'unknown-type',
      type: 'reconcile',
    });
  });

  it('names the task of an invalid launch, so it can be answered with TASK_ERROR', () => {
    const parsed = parseCommandLine('{"type":"launch","task":{"taskId":"web.1","command":{"shell":true}}}');
    expect(parsed).toMatchObject({ ok: false, kind: 'invalid', taskId: 'web.1' });
  });

  it('refuses a line that is not JSON', () => {
    expect(parseCommandLine('{"type":')).toMatchObject({ ok: false, kind: 'invalid' });
  });
});
