import { ExitCode } from '../exit-codes';
import { FakeMaster, startFakeMaster } from '../testing/fake-master';
import { runCairn } from '../testing/run-cairn';

const view = { clusterVersion: 1, formatLevel: 2, release: '0.1.0', instance: '127.0.0.1:8080' };

describe('cairn cluster', () => {
  let master: FakeMaster | undefined;

  afterEach(async () => {
    await master?.close();
    master = undefined;
  });

  const cairn = (args: string[]) => runCairn(master!.url, args);

  it('version prints the cluster version and what the master reads', async () => {
    master = await startFakeMaster({ 'GET /v1/cluster/version': { body: view } });
    expect(await cairn(['cluster', 'version'])).toEqual({
      code: ExitCode.Ok,
      out: 'Cluster version 1; 127.0.0.1:8080 (Cairn 0.1.0) reads up to level 2.\n',
      err: '',
    });
  });

  it('upgrade posts the level asked for and reports the raise with its offset', async () => {
    master = await startFakeMaster({
      'POST /v1/cluster/version': {
        body: { ...view, clusterVersion: 2, changed: true },
        headers: { 'X-Cairn-Offset': '41' },
      },
    });
    const { code, out } = await cairn(['cluster', 'upgrade', '--to', '2']);
    expect({ code, out }).toEqual({ code: ExitCode.Ok, out: 'Raised the cluster version to 2, log offset 41.\n' });
    expect(JSON.parse(master.requests[0].body)).toEqual({ version: 2 });
  });

  it('upgrade without --to leaves the level to the leader, and says when nothing changed', async () => {
    master = await startFakeMaster({
      'POST /v1/cluster/version': { body: { ...view, clusterVersion: 2, changed: false } },
    });
    const { out } = await cairn(['cluster', 'upgrade']);
    expect(out).toBe('The cluster version is already 2: nothing to do.\n');
    expect(JSON.parse(master.requests[0].body)).toEqual({});
  });

  it("a refusal (a level above the leader's) fails with the master's message", async () => {
    master = await startFakeMaster({
      'POST /v1/cluster/version': {
        status: 409,
        body: { message: 'cannot raise the cluster version to 3: the leader m1 reads event format level 2 at most' },
      },
    });
    const { code, err } = await cairn(['cluster', 'upgrade', '--to', '3']);
    expect(code).not.toBe(ExitCode.Ok);
    expect(err).toContain('cannot raise the cluster version to 3');
  });

  it('--to must be a positive integer', async () => {
    master = await startFakeMaster({});
    const { code, err } = await cairn(['cluster', 'upgrade', '--to', 'two']);
    expect(code).toBe(ExitCode.Usage);
    expect(err).toContain('must be a positive integer');
    expect(master.requests).toEqual([]);
  });
});
