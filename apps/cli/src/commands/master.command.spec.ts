import { resolve } from 'node:path';
import { loadConfig } from '../../../master/src/config/cairn-config';
import { run } from '../cli';
import type { CairnConfig, ControlPlane, ReplayResult, RunningMaster } from '../control-plane';
import { ExitCode } from '../exit-codes';
import { captureIo } from '../testing/capture-io';

/**
 * A control plane that records what the CLI asks of it. The config goes through the master's
 * real loadConfig, so env and flags are interpreted exactly as `cairn master` will.
 */
function fakeControlPlane(options: { startError?: Error; replay?: ReplayResult | Error } = {}) {
  const calls = {
    started: [] as CairnConfig[],
    closed: 0,
    replayed: [] as { config: CairnConfig; range: { to?: number } }[],
  };
  let finish: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolveDone) => (finish = resolveDone));
  const master: RunningMaster = {
    url: 'http://127.0.0.1:18080',
    agentToken: 'test-token',
    close: async () => {
      calls.closed++;
    },
    done,
  };
  const controlPlane: ControlPlane = {
    loadConfig,
    startMaster: async (config) => {
      calls.started.push(config);
      if (options.startError) throw options.startError;
      return master;
    },
    replayLog: async (config, range) => {
      calls.replayed.push({ config, range });
      if (options.replay instanceof Error) throw options.replay;
      return options.replay ?? { hash: 'sha256:abc', offset: 41, events: 42 };
    },
    openOfflineLog: async () => {
      throw new Error('no offline log in these tests');
    },
    verifyLog: async () => {
      throw new Error('not used by these tests');
    },
  };
  return { controlPlane, calls, finish };
}

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('cairn master / dev', () => {
  it('starts with env config overridden by flags, runs until interrupted, then closes and exits 0', async () => {
    const fake = fakeControlPlane();
    const stop = new AbortController();
    const io = captureIo({
      signal: stop.signal,
      env: { CAIRN_PORT: '9000', CAIRN_CLUSTER: 'from-env', CAIRN_HOST: '127.0.0.2' },
    });
    const running = run(['master', '--port', '0', '--data-dir', 'some/dir', '--cluster', 'c1'], io, fake.controlPlane);
    await waitFor(() => io.out() !== '');
    expect(fake.calls.closed).toBe(0);
    stop.abort();
    expect(await running).toBe(ExitCode.Ok);
    expect(fake.calls.closed).toBe(1);
    expect(fake.calls.started).toHaveLength(1);
    expect(fake.calls.started[0]).toMatchObject({
      port: 0,
      host: '127.0.0.2',
      log: 'file',
      cluster: 'c1',
      dataDir: resolve('some/dir'),
    });
    expect(io.out()).toBe(
      [
        'Cairn master is running at http://127.0.0.1:18080. Ctrl-C stops it.',
        '  log:   file log in ./some/dir',
        '  auth:  none, so the API is served on loopback only (CAIRN_AUTH_FILE turns tokens on); agents need the agent token',
        '',
      ].join('\n'),
    );
    expect(io.err()).toBe('Stopping...\n');
  });

  it('dev runs on the file log in ./.cairn by default', async () => {
    const fake = fakeControlPlane();
    const stop = new AbortController();
    const io = captureIo({ signal: stop.signal, env: {} });
    const running = run(['dev'], io, fake.controlPlane);
    await waitFor(() => io.out() !== '');
    stop.abort();
    expect(await running).toBe(0);
    expect(fake.calls.started[0]).toMatchObject({ log: 'file', dataDir: resolve('.cairn') });
    expect(io.out()).toContain(
      'Cairn is running at http://127.0.0.1:18080. Ctrl-C stops it.\n  log:   file log in ./.cairn\n',
    );
    expect(io.out()).toContain('  agent: local, work dir ./.cairn/agent, task ports 31000-32000\n');
  });

  it('dev honours CAIRN_LOG=kafka as the README says (`CAIRN_LOG=kafka npm start`), and --log overrides it', async () => {
    const fake = fakeControlPlane();
    const stop = new AbortController();
    const env = { CAIRN_LOG: 'kafka', KAFKA_BROKERS: '127.0.0.1:9092' };
    const io = captureIo({ signal: stop.signal, env });
    const running = run(['dev'], io, fake.controlPlane);
    await waitFor(() => io.out() !== '');
    stop.abort();
    expect(await running).toBe(0);
    expect(fake.calls.started[0]).toMatchObject({ log: 'kafka', kafkaBrokers: ['127.0.0.1:9092'] });
    expect(io.out()).toContain('log:   Kafka log: topic cairn.events at 127.0.0.1:9092');

    const stopFile = new AbortController();
    const fileIo = captureIo({ signal: stopFile.signal, env });
    const onFile = run(['dev', '--log', 'file'], fileIo, fake.controlPlane);
    await waitFor(() => fileIo.out() !== '');
    stopFile.abort();
    expect(await onFile).toBe(0);
    expect(fake.calls.started[1]).toMatchObject({ log: 'file' });
  });

  it('dev refuses --task-ports that are not port ranges, starting nothing', async () => {
    const fake = fakeControlPlane();
    for (const bad of ['31000-', 'abc', '32000-31000', '0-10', '31000-70000']) {
      const io = captureIo({ env: {} });
      expect(await run(['dev', '--task-ports', bad], io, fake.controlPlane)).toBe(ExitCode.Usage);
      expect(io.err()).toContain(`task ports '${bad}'`);
    }
    expect(fake.calls.started).toEqual([]);
  });

  it('dev --log kafka uses Kafka and says which topic', async () => {
    const fake = fakeControlPlane();
    const stop = new AbortController();
    const io = captureIo({ signal: stop.signal, env: { KAFKA_BROKERS: '127.0.0.1:9092' } });
    const running = run(['dev', '--log', 'kafka', '--cluster', 'blue'], io, fake.controlPlane);
    await waitFor(() => io.out() !== '');
    stop.abort();
    expect(await running).toBe(0);
    expect(io.out()).toContain('log:   Kafka log: topic blue.events at 127.0.0.1:9092');
  });

  it('exits with the code the master stops with, after closing it', async () => {
    const fake = fakeControlPlane();
    const io = captureIo({ signal: new AbortController().signal });
    const running = run(['master'], io, fake.controlPlane);
    await waitFor(() => io.out() !== '');
    fake.finish(7);
    expect(await running).toBe(7);
    expect(fake.calls.closed).toBe(1);
    expect(io.err()).toBe('The master stopped with exit code 7.\n');
  });

  it('exits 5 with the reason, and no stack trace, when the master cannot start', async () => {
    const fake = fakeControlPlane({ startError: new Error('event log ./.cairn is locked by live process 42') });
    const io = captureIo({ signal: new AbortController().signal });
    expect(await run(['master'], io, fake.controlPlane)).toBe(ExitCode.LocalFailure);
    expect(io.err()).toBe(
      'error: the master could not start (file log in ./.cairn): event log ./.cairn is locked by live process 42\n',
    );
  });

  it('exits 2 naming the variable for bad environment configuration, starting nothing', async () => {
    const fake = fakeControlPlane();
    const io = captureIo({ env: { CAIRN_PORT: 'eighty' } });
    expect(await run(['master'], io, fake.controlPlane)).toBe(ExitCode.Usage);
    expect(io.err()).toBe("error: bad configuration: CAIRN_PORT 'eighty' is not a port number (0-65535)\n");
    expect(fake.calls.started).toHaveLength(0);
  });

  it('exits 2 for a --port out of range', async () => {
    const fake = fakeControlPlane();
    const io = captureIo();
    expect(await run(['master', '--port', '70000'], io, fake.controlPlane)).toBe(ExitCode.Usage);
    expect(io.err()).toContain('expected a port number');
    expect(fake.calls.started).toHaveLength(0);
  });
});

describe('cairn replay', () => {
  it('replays the configured log and prints hash, offset and event count', async () => {
    const fake = fakeControlPlane();
    const io = captureIo({ env: { CAIRN_DATA_DIR: '/tmp/cairn-replay-x' } });
    expect(await run(['replay'], io, fake.controlPlane)).toBe(0);
    expect(fake.calls.replayed).toEqual([
      { config: expect.objectContaining({ dataDir: '/tmp/cairn-replay-x' }), range: {} },
    ]);
    expect(io.out()).toBe('HASH:    sha256:abc\nOFFSET:  41\nEVENTS:  42\n');
  });

  it('--to bounds the replay and --json prints the result', async () => {
    const fake = fakeControlPlane({ replay: { hash: 'h', offset: 3, events: 4 } });
    const io = captureIo();
    expect(await run(['replay', '--to', '3', '--json'], io, fake.controlPlane)).toBe(0);
    expect(fake.calls.replayed[0].range).toEqual({ to: 3 });
    expect(JSON.parse(io.out())).toEqual({ hash: 'h', offset: 3, events: 4 });
  });

  it('exits 5 with the reason when the log cannot be replayed', async () => {
    const fake = fakeControlPlane({ replay: new Error('corrupt event log: segment 0 at byte 12') });
    const io = captureIo({ env: { CAIRN_DATA_DIR: '/tmp/cairn-replay-y' } });
    expect(await run(['replay'], io, fake.controlPlane)).toBe(ExitCode.LocalFailure);
    expect(io.err()).toBe(
      'error: replay of the file log in /tmp/cairn-replay-y failed: corrupt event log: segment 0 at byte 12\n',
    );
    expect(io.out()).toBe('');
  });
});
