import { PinoLogger } from './pino-logger';

function capture(level: string): {
  logger: PinoLogger;
  lines: () => { level: number; context?: string; msg: string }[];
} {
  const chunks: string[] = [];
  const logger = new PinoLogger(level, { write: (chunk: string) => void chunks.push(chunk) });
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
  };
}

describe('PinoLogger', () => {
  it('writes `{ msg, ...fields }` as one JSON line with the fields as they are', () => {
    const info = capture('info');
    info.logger.log({ msg: 'command served', correlationId: 'c-1', actor: 'ops', offset: 7 }, 'MasterRuntime');
    expect(info.lines()).toMatchObject([
      { level: 30, context: 'MasterRuntime', msg: 'command served', correlationId: 'c-1', actor: 'ops', offset: 7 },
    ]);
  });

  it("keeps Nest's start-up chatter (modules, routes) out of the info log, and shows it at debug", () => {
    const info = capture('info');
    info.logger.log('Mapped {/v2/apps, GET} route', 'RouterExplorer');
    info.logger.log('AppsController {/v2/apps}:', 'RoutesResolver');
    info.logger.log('MasterModule dependencies initialized', 'InstanceLoader');
    info.logger.log('Nest application successfully started', 'NestApplication');
    info.logger.log('listening on http://127.0.0.1:8080', 'Master');
    expect(info.lines().map((l) => l.msg)).toEqual(['listening on http://127.0.0.1:8080']);

    const debug = capture('debug');
    debug.logger.log('Mapped {/v2/apps, GET} route', 'RouterExplorer');
    expect(debug.lines()).toMatchObject([
      { level: 20, context: 'RouterExplorer', msg: 'Mapped {/v2/apps, GET} route' },
    ]);
  });
});
