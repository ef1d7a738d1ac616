import { run } from '../cli';
import { ExitCode } from '../exit-codes';
import { captureIo } from '../testing/capture-io';
import { FakeMaster, startFakeMaster, unusedUrl } from '../testing/fake-master';

const nodeA = {
  agentId: '5f0c2a9e-1d4b-4c8e-9a7f-0b1c2d3e4f50',
  hostname: 'node-a',
  filesPort: 5051,
  resources: { cpus: 4, mem: 8192, disk: 10000, ports: [[31000, 32000]] },
  attributes: { rack: 'a' },
  capabilities: ['process'],
  status: 'ACTIVE',
  since: '2025-01-02T03:04:05.000Z',
  connected: true,
  used: { cpus: 1.5, mem: 384, disk: 0, ports: [[31000, 31002]] },
  tasks: 3,
};
const nodeB = {
  ...nodeA,
  agentId: '0b1c2d3e-aaaa-4c8e-9a7f-5f0c2a9e1d4b',
  hostname: 'node-b',
  resources: { cpus: 2, mem: 1024, disk: 0, ports: [[33000, 33100]] },
  attributes: {},
  status: 'DISCONNECTED',
  connected: false,
  used: { cpus: 0, mem: 0, disk: 0, ports: [] },
  tasks: 0,
};

describe('cairn agents', () => {
  let master: FakeMaster | undefined;

  afterEach(async () => {
    await master?.close();
    master = undefined;
  });

  async function cairn(args: string[]) {
    const io = captureIo();
    const code = await run(['agents', '--master', master!.url, ...args], io);
    return { code, out: io.out(), err: io.err() };
  }

  it('prints one row per agent: short id, status, connection, used/total, ports, tasks, attributes', async () => {
    master = await startFakeMaster({ 'GET /v1/agents': { body: { agents: [nodeA, nodeB] } } });
    const { code, out, err } = await cairn([]);
    expect({ code, err }).toEqual({ code: ExitCode.Ok, err: '' });
    const lines = out
      .trimEnd()
      .split('\n')
      .map((line) => line.split(/\s{2,}/));
    expect(lines).toEqual([
      ['ID', 'HOSTNAME', 'STATUS', 'CONNECTED', 'CPUS', 'MEM', 'PORTS', 'TASKS', 'ATTRIBUTES'],
      ['5f0c2a9e', 'node-a', 'ACTIVE', 'yes', '1.5/4', '384/8192', '31000-32000', '3', 'rack=a'],
      ['0b1c2d3e', 'node-b', 'DISCONNECTED', 'no', '0/2', '0/1024', '33000-33100', '0', '-'],
    ]);
    expect(master.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v1/agents']);
  });

  it('says so when no agent is registered', async () => {
    master = await startFakeMaster({ 'GET /v1/agents': { body: { agents: [] } } });
    expect(await cairn([])).toEqual({ code: 0, out: 'No agents.\n', err: '' });
  });

  it('--json prints the API answer unchanged (whole ids)', async () => {
    master = await startFakeMaster({ 'GET /v1/agents': { body: { agents: [nodeA] } } });
    const { code, out } = await cairn(['--json']);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ agents: [nodeA] });
  });

  it('exits 4 with Retry-After while the master is not ready', async () => {
    master = await startFakeMaster({
      'GET /v1/agents': { status: 503, body: { message: 'replaying the log' }, headers: { 'retry-after': '1' } },
    });
    const { code, out, err } = await cairn([]);
    expect({ code, out }).toEqual({ code: ExitCode.ServerError, out: '' });
    expect(err).toContain('replaying the log');
    expect(err).toContain('Retry-After: 1 seconds');
  });

  it('exits 3 naming the URL when no master listens', async () => {
    const io = captureIo();
    const url = await unusedUrl();
    expect(await run(['agents', '--master', url], io)).toBe(ExitCode.Unreachable);
    expect(io.err()).toContain(`cannot reach the master at ${url}/v1/agents`);
  });
});
