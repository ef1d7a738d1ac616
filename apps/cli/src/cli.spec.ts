import { run } from './cli';
import { ExitCode } from './exit-codes';
import { captureIo } from './testing/capture-io';

async function cairn(args: string[], env: NodeJS.ProcessEnv = {}) {
  const io = captureIo({ env });
  const code = await run(args, io);
  return { code, out: io.out(), err: io.err() };
}

describe('cairn (argument parsing and exit codes)', () => {
  it('--help lists the commands and documents every exit code', async () => {
    const { code, out, err } = await cairn(['--help']);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    for (const command of ['master', 'dev', 'agent', 'apps', 'events', 'replay'])
      expect(out).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    for (const exitCode of [0, 1, 2, 3, 4, 5, 130]) expect(out).toMatch(new RegExp(`^  ${exitCode}\\s+\\S`, 'm'));
  });

  it('--version prints the package version', async () => {
    expect(await cairn(['--version'])).toEqual({ code: 0, out: '0.1.0\n', err: '' });
  });

  const usageErrors = [
    { name: 'no command prints the help to stderr', args: [], stderr: /Usage: cairn/ },
    { name: 'an unknown command', args: ['bogus'], stderr: /unknown command 'bogus'/ },
    { name: 'a group without its subcommand', args: ['apps'], stderr: /Usage: cairn apps/ },
    { name: 'a missing argument', args: ['apps', 'show'], stderr: /missing required argument 'id'/ },
    { name: 'an extra argument', args: ['apps', 'list', 'extra'], stderr: /too many arguments/ },
    { name: 'an unknown option', args: ['apps', 'list', '--jsn'], stderr: /unknown option '--jsn'/ },
    {
      name: 'a --from that is neither an offset nor a time',
      args: ['events', 'tail', '--from', 'x'],
      stderr: /'--from' must be an offset .* got 'x'/,
    },
    { name: 'a negative offset', args: ['replay', '--to', '-3'], stderr: /--to/ },
    {
      name: 'a log backend that does not exist',
      args: ['master', '--log', 'zk'],
      stderr: /Allowed choices are file, kafka/,
    },
    {
      name: 'a --master that is not a URL',
      args: ['apps', 'list', '--master', 'nope'],
      stderr: /--master 'nope' is not a URL/,
    },
    { name: 'a --master that is not http', args: ['apps', 'list', '--master', 'ftp://h'], stderr: /must be an http/ },
    {
      name: 'an app id with no segment',
      args: ['apps', 'show', '/', '--master', 'http://127.0.0.1:1'],
      stderr: /'\/' is not an app id/,
    },
  ];
  it.each(usageErrors)('exits 2 for $name', async ({ args, stderr }) => {
    const { code, out, err } = await cairn(args);
    expect(code).toBe(ExitCode.Usage);
    expect(out).toBe('');
    expect(err).toMatch(stderr);
    expect(err).not.toMatch(/^\s+at /m);
  });

  it('exits 2 for a bad CAIRN_MASTER, naming the variable', async () => {
    const { code, err } = await cairn(['apps', 'list'], { CAIRN_MASTER: '127.0.0.1:8080' });
    expect(code).toBe(ExitCode.Usage);
    expect(err).toContain("CAIRN_MASTER '127.0.0.1:8080'");
  });

  it('agent without a work dir is a usage error (exit 2) that names the missing option', async () => {
    const { code, out, err } = await cairn(['agent', '--master', 'http://127.0.0.1:8080']);
    expect(code).toBe(ExitCode.Usage);
    expect(out).toBe('');
    expect(err).toMatch(/work-dir/);
  });
});
