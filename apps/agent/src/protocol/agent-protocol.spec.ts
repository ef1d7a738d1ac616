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
        },
      },
    });
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
