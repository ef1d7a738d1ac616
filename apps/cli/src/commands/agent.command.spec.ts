import { run } from '../cli';
import { ExitCode } from '../exit-codes';
import { captureIo } from '../testing/capture-io';

// `cairn agent` argument checks: every bad value is a usage error (exit 2) reported before any
// agent starts or any master is contacted (the masters named here do not exist).
const NOWHERE = 'http://127.0.0.1:9';

async function agent(args: string[], env: NodeJS.ProcessEnv = {}) {
  const io = captureIo({ env, signal: new AbortController().signal });
  const code = await run(['agent', ...args], io);
  return { code, err: io.err(), out: io.out() };
}

describe('cairn agent --simulated: arguments', () => {
  it.each([
    {
      name: 'a count of 0',
      args: ['--simulated', '0'],
      want: /'--simulated <n>' argument '0' is invalid\. expected a whole number of agents, 1-10000/,
    },
    { name: 'a count that is not a number', args: ['--simulated', 'many'], want: /argument 'many' is invalid/ },
    { name: 'a fractional count', args: ['--simulated', '2.5'], want: /argument '2\.5' is invalid/ },
    { name: 'too many agents', args: ['--simulated', '10001'], want: /1-10000/ },
    {
      name: 'a failure rate above 1',
      args: ['--simulated', '2', '--failure-rate', '1.5'],
      want: /'--failure-rate <f>' argument '1\.5' is invalid\. expected a share between 0 and 1/,
    },
    {
      name: 'a negative unhealthy rate',
      args: ['--simulated', '2', '--unhealthy-rate', '-0.1'],
      want: /'--unhealthy-rate <f>' argument '-0\.1' is invalid/,
    },
    {
      name: 'an unhealthy rate that is not a number',
      args: ['--simulated', '2', '--unhealthy-rate', 'half'],
      want: /argument 'half' is invalid/,
    },
    {
      name: 'negative seconds before healthy',
      args: ['--simulated', '2', '--healthy-after', '-1'],
      want: /'--healthy-after <s>' argument '-1' is invalid\. expected a number of seconds/,
    },
    {
      name: 'task seconds that are not a number',
      args: ['--simulated', '2', '--task-seconds', 'ten'],
      want: /'--task-seconds <s>' argument 'ten' is invalid/,
    },
    {
      name: 'a simulation flag without --simulated',
      args: ['--work-dir', '/tmp/x', '--healthy-after', '3'],
      want: /--healthy-after applies only with --simulated N/,
    },
    {
      name: 'a work dir for simulated agents',
      args: ['--simulated', '2', '--work-dir', '/tmp/x'],
      want: /--work-dir does not apply to --simulated agents/,
    },
    {
      name: 'a files port for simulated agents',
      args: ['--simulated', '2', '--port', '0'],
      want: /--port does not apply/,
    },
    {
      name: 'a master that is not a URL',
      args: ['--simulated', '2', '--master', 'not a url'],
      want: /--master: 'not a url' is not a URL/,
    },
    {
      name: 'a master that is not http',
      args: ['--simulated', '2', '--master', 'ftp://x'],
      want: /must be an http:\/\/ or https:\/\/ URL/,
    },
    { name: 'bad resources', args: ['--simulated', '2', '--resources', 'cpus:lots'], want: /--resources/ },
    {
      name: 'a token file that cannot be read',
      args: ['--simulated', '2', '--token-file', '/no/such/token'],
      want: /--token-file: cannot read '\/no\/such\/token'/,
    },
  ])('exits 2 on $name, starting nothing', async ({ args, want }) => {
    const result = await agent(['--master', NOWHERE, ...args]);
    expect(result.code).toBe(ExitCode.Usage);
    expect(result.err).toMatch(want);
    expect(result.err).not.toMatch(/Starting/);
    expect(result.out).toBe('');
  });

  it('reads a bad CAIRN_MASTER as the real agent does', async () => {
    const result = await agent(['--simulated', '1'], { CAIRN_MASTER: 'nope' });
    expect(result.code).toBe(ExitCode.Usage);
    expect(result.err).toContain("--master: 'nope' is not a URL");
  });

  it('lists the simulation flags in its help', async () => {
    const io = captureIo();
    expect(await run(['agent', '--help'], io)).toBe(ExitCode.Ok);
    for (const flag of [
      '--simulated <n>',
      '--task-seconds <s>',
      '--failure-rate <f>',
      '--healthy-after <s>',
      '--unhealthy-rate <f>',
    ]) {
      expect(io.out()).toContain(flag);
    }
  });
});
