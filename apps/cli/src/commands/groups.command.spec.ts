import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode } from '../exit-codes';
import { FakeMaster, startFakeMaster } from '../testing/fake-master';
import { runCairn, tableCells } from '../testing/run-cairn';

const tree = {
  id: '/',
  apps: [],
  groups: [
    {
      id: '/shop',
      apps: [],
      groups: [
        {
          id: '/shop/web',
          apps: [{ id: '/shop/web/api', instances: 3 }],
          groups: [],
          dependencies: ['/shop/db'],
          version: 'v2',
        },
        { id: '/shop/db', apps: [{ id: '/shop/db/pg', instances: 1 }], groups: [], dependencies: [], version: 'v1' },
      ],
      dependencies: [],
      version: 'v2',
    },
  ],
  dependencies: [],
  version: 'v2',
};
const result = { deploymentId: 'd-1', version: 'v3' };

describe('cairn groups', () => {
  let master: FakeMaster | undefined;

  afterEach(async () => {
    await master?.close();
    master = undefined;
  });

  const cairn = (args: string[]) => runCairn(master!.url, args);

  const cells = tableCells;

  it('lists the tree depth first, each group with its own apps, instances and dependencies', async () => {
    master = await startFakeMaster({ 'GET /v2/groups': { body: tree } });
    const { code, out, err } = await cairn(['groups']);
    expect({ code, err }).toEqual({ code: ExitCode.Ok, err: '' });
    // Subgroups are indented under their group (the split on 2+ spaces shows it as a leading '').
    expect(out).toContain('\n    /shop/db ');
    expect(cells(out)).toEqual([
      ['GROUP', 'APPS', 'INSTANCES', 'DEPENDENCIES', 'VERSION'],
      ['/', '0', '0', '-', 'v2'],
      ['', '/shop', '0', '0', '-', 'v2'],
      ['', '/shop/db', '1', '1', '-', 'v1'],
      ['', '/shop/web', '1', '3', '/shop/db', 'v2'],
    ]);
  });

  it('applies a group file with PUT on its id, and creates one with POST', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-groups-'));
    const file = join(dir, 'shop.json');
    writeFileSync(file, JSON.stringify({ id: '/shop', apps: [] }));
    master = await startFakeMaster({
      'PUT /v2/groups/shop': { body: result },
      'POST /v2/groups': { status: 201, body: result },
    });
    expect(await cairn(['groups', 'apply', file, '--force'])).toMatchObject({
      code: ExitCode.Ok,
      out: 'Applying group /shop: deployment d-1, version v3\n',
    });
    expect(await cairn(['groups', 'create', file])).toMatchObject({ code: ExitCode.Ok });
    expect(master.requests.map((r) => [r.method, r.path, r.query.get('force'), JSON.parse(r.body)])).toEqual([
      ['PUT', '/v2/groups/shop', 'true', { id: '/shop', apps: [] }],
      ['POST', '/v2/groups', null, { id: '/shop', apps: [] }],
    ]);
  });

  it('scales by a factor and refuses a negative one before any request (exit 2)', async () => {
    master = await startFakeMaster({ 'PUT /v2/groups/shop': { body: result } });
    expect((await cairn(['groups', 'scale', 'shop', '1.5'])).code).toBe(ExitCode.Ok);
    expect(JSON.parse(master.requests[0]!.body)).toEqual({ scaleBy: 1.5 });
    const refused = await cairn(['groups', 'scale', 'shop', '-1']);
    expect(refused.code).toBe(ExitCode.Usage);
    expect(refused.err).toMatch(/at least 0/);
    expect(master.requests).toHaveLength(1);
  });

  it('reports a missing group as the master says it, with exit 1', async () => {
    master = await startFakeMaster({
      'DELETE /v2/groups/nope': { status: 404, body: { message: "Group '/nope' does not exist" } },
    });
    const { code, err } = await cairn(['groups', 'delete', '/nope']);
    expect(code).toBe(ExitCode.Refused);
    expect(err).toMatch(/Group '\/nope' does not exist/);
  });
});
