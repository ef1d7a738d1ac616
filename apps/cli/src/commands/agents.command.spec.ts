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
  drain: { state: 'DRAINED', startedAt: '2025-01-02T03:00:00.000Z', deadline: null },
};
const nodeC = {
  ...nodeA,
  agentId: '5f0c9999-1d4b-4c8e-9a7f-0b1c2d3e4f51',
  hostname: 'node-c',
  drain: { state: 'DRAINING', startedAt: '2025-01-02T03:00:00.000Z', deadline: '2025-01-02T03:10:00.000Z' },
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

  it('prints one row per agent: short id, status, drain, connection, used/total, ports, tasks, attributes', async () => {
    master = await startFakeMaster({ 'GET /v1/agents': { body: { agents: [nodeA, nodeB, nodeC] } } });
    const { code, out, err } = await cairn([]);
    expect({ code, err }).toEqual({ code: ExitCode.Ok, err: '' });
    const lines = out
      .trimEnd()
      .split('\n')
      .map((line) => line.split(/\s{2,}/));
    expect(lines).toEqual([
      ['ID', 'HOSTNAME', 'STATUS', 'DRAIN', 'CONNECTED', 'CPUS', 'MEM', 'PORTS', 'TASKS', 'ATTRIBUTES'],
      ['5f0c2a9e', 'node-a', 'ACTIVE', '-', 'yes', '1.5/4', '384/8192', '31000-32000', '3', 'rack=a'],
      ['0b1c2d3e', 'node-b', 'DISCONNECTED', 'DRAINED', 'no', '0/2', '0/1024', '33000-33100', '0', '-'],
      [
        '5f0c9999',
        'node-c',
        'ACTIVE',
        'DRAINING until 2025-01-02T03:10:00.000Z',
        'yes',
        '1.5/4',
        '384/8192',
        '31000-32000',
        '3',
        'rack=a',
      ],
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

  it('`agents list` is the same list', async () => {
    master = await startFakeMaster({ 'GET /v1/agents': { body: { agents: [] } } });
    const io = captureIo();
    expect(await run(['agents', 'list', '--master', master.url], io)).toBe(0);
    expect(io.out()).toBe('No agents.\n');
  });
});

describe('cairn agents drain / reactivate', () => {
  let master: FakeMaster | undefined;

  afterEach(async () => {
    await master?.close();
    master = undefined;
  });

  async function cairn(args: string[]) {
    const io = captureIo();
    const code = await run(['agents', ...args, '--master', master!.url], io);
    return { code, out: io.out(), err: io.err() };
  }

  const drained = {
    agentId: nodeA.agentId,
    drain: { state: 'DRAINING', startedAt: '2025-01-02T03:00:00.000Z', deadline: '2025-01-02T03:10:00.000Z' },
    deployments: ['d-1'],
  };

  it('drain ID --deadline S posts the deadline to /v1/agents/{id}/drain and says what moves', async () => {
    master = await startFakeMaster({
      'GET /v1/agents': { body: { agents: [nodeA, nodeB] } },
      [`POST /v1/agents/${nodeA.agentId}/drain`]: { status: 202, body: drained, headers: { 'x-cairn-offset': '42' } },
    });
    const { code, out, err } = await cairn(['drain', nodeA.agentId, '--deadline', '600']);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out).toBe(
      `Agent ${nodeA.agentId} is DRAINING: deployment d-1 moves its tasks; what remains is killed at 2025-01-02T03:10:00.000Z, log offset 42.\n`,
    );
    const post = master.requests.find((r) => r.method === 'POST')!;
    expect(JSON.parse(post.body)).toEqual({ deadlineSeconds: 600 });
    expect(post.query.get('force')).toBeNull();
  });

  it('takes an id prefix or a hostname, and --force', async () => {
    master = await startFakeMaster({
      'GET /v1/agents': { body: { agents: [nodeA, nodeB] } },
      [`POST /v1/agents/${nodeA.agentId}/drain`]: { status: 202, body: { ...drained, deployments: [] } },
    });
    expect((await cairn(['drain', '5f0c2a9e', '--json'])).code).toBe(0);
    const { out } = await cairn(['drain', 'node-a', '--force']);
    expect(out).toContain('nothing to move');
    const posts = master.requests.filter((r) => r.method === 'POST');
    expect(posts.map((r) => [r.path, JSON.parse(r.body), r.query.get('force')])).toEqual([
      [`/v1/agents/${nodeA.agentId}/drain`, {}, null],
      [`/v1/agents/${nodeA.agentId}/drain`, {}, 'true'],
    ]);
  });

  it('an unknown agent exits 1; an ambiguous prefix exits 2; a bad deadline is a usage error', async () => {
    master = await startFakeMaster({ 'GET /v1/agents': { body: { agents: [nodeA, nodeC] } } });
    const unknown = await cairn(['drain', 'zzz']);
    expect(unknown.code).toBe(ExitCode.Refused);
    expect(unknown.err).toContain("no agent has the id, id prefix or hostname 'zzz'");
    const ambiguous = await cairn(['drain', '5f0c']);
    expect(ambiguous.code).toBe(ExitCode.Usage);
    expect(ambiguous.err).toContain("'5f0c' names 2 agents");
    expect((await cairn(['drain', 'node-a', '--deadline', 'soon'])).code).toBe(ExitCode.Usage);
    expect(master.requests.filter((r) => r.method === 'POST')).toEqual([]);
  });

  it("the master's refusal (409: already draining) is exit 1 with its message", async () => {
    master = await startFakeMaster({
      'GET /v1/agents': { body: { agents: [nodeA] } },
      [`POST /v1/agents/${nodeA.agentId}/drain`]: { status: 409, body: { message: 'Agent is already draining' } },
    });
    const { code, err } = await cairn(['drain', 'node-a']);
    expect(code).toBe(ExitCode.Refused);
    expect(err).toContain('Agent is already draining');
  });

  it('reactivate ID posts to /v1/agents/{id}/reactivate', async () => {
    master = await startFakeMaster({
      'GET /v1/agents': { body: { agents: [nodeA] } },
      [`POST /v1/agents/${nodeA.agentId}/reactivate`]: { body: { agentId: nodeA.agentId, drain: null, changed: true } },
    });
    expect((await cairn(['reactivate', 'node-a'])).out).toBe(`Agent ${nodeA.agentId} is active again.\n`);
  });
});
