import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AgentHandle,
  allEvents,
  cli,
  freePort,
  MasterHandle,
  requireKafkaBrokers,
  sendRequest,
  startAgent,
  startMaster,
  TEST_AGENT_TOKEN,
  TEST_MASTER_AGENT_ENV,
  tempDir,
  waitFor,
  waitForRunningTasks,
} from '../harness';

jest.setTimeout(120_000);

const OPS = { name: 'ops', role: 'admin', token: 'ops-e2e-token-0123456789' };
const EYES = { name: 'eyes', role: 'viewer', token: 'eyes-e2e-token-0123456789' };
const basic = (name: string, token: string) => `Basic ${Buffer.from(`${name}:${token}`).toString('base64')}`;

describe('API auth: tokens and roles from CAIRN_AUTH_FILE, as Marathon clients present them [file]', () => {
  let master: MasterHandle;
  let agent: AgentHandle;
  const logs = () => [master?.describeLogs() ?? '', agent?.describeLogs() ?? ''].join('\n');
  /** A request with exactly these headers (none of the handle's token). */
  const as = (method: string, path: string, authorization?: string, json?: unknown) =>
    sendRequest<Record<string, unknown>>(new URL(path, master.url), method, json, {
      headers: authorization ? { authorization } : {},
    });

  beforeAll(async () => {
    const authFile = join(tempDir('auth'), 'auth.json');
    writeFileSync(authFile, JSON.stringify([OPS, EYES]));
    master = await startMaster({
      backend: 'file',
      env: { ...TEST_MASTER_AGENT_ENV, CAIRN_AUTH_FILE: authFile },
      token: OPS.token,
    });
    // CAIRN_AGENT_TOKEN is an implicit `agent` entry: agents join as before.
    agent = await startAgent({
      masterUrl: master.url,
      resources: 'cpus:2;mem:2048;ports:[28200-28299]',
      masterToken: EYES.token,
    });
  }, 60_000);

  afterAll(async () => {
    await agent?.killTasksAndStop();
    await master?.stop();
  });

  it('keeps the probes and the API document open and refuses a request without a good token: 401 with WWW-Authenticate', async () => {
    expect((await as('GET', '/ping')).status).toBe(200);
    expect((await as('GET', '/v1/health/live')).status).toBe(200);
    expect((await as('GET', '/v1/health/ready')).status).toBe(200);
    const document = await as('GET', '/openapi.json');
    expect(document.status).toBe(200);
    expect(Object.keys(document.body.components as object)).toContain('securitySchemes');
    expect((await as('GET', '/openapi')).status).toBe(200);
    expect((await as('GET', '/openapi/swagger-ui.css')).status).toBe(200);
    for (const authorization of [undefined, 'Bearer wrong-token-0123456789', basic('eyes', OPS.token), 'Negotiate x']) {
      const refused = await as('GET', '/v2/apps', authorization);
      expect({ authorization, status: refused.status }).toEqual({ authorization, status: 401 });
      expect(refused.headers['www-authenticate']).toContain('Basic realm="Cairn"');
      expect(refused.body.message).toEqual(expect.any(String));
      expect(refused.text).not.toContain(OPS.token);
    }
  });

  it('lets a viewer read and not write, an admin write in every credential form, and records the token name as actor', async () => {
    expect((await as('GET', '/v2/apps', `Bearer ${EYES.token}`)).status).toBe(200);
    expect((await as('GET', '/metrics', `token=${EYES.token}`)).status).toBe(200);
    const viewerWrite = await as('POST', '/v2/apps', `Bearer ${EYES.token}`, { id: '/auth/no', cmd: 'sleep 1' });
    expect(viewerWrite.status).toBe(403);
    expect(viewerWrite.body).toEqual({ message: 'Not Authorized to perform this action!' });

    const forms = [`Bearer ${OPS.token}`, `token=${OPS.token}`, basic('ops', OPS.token)];
    for (const [index, authorization] of forms.entries()) {
      const created = await as('POST', '/v2/apps', authorization, {
        id: `/auth/app-${index}`,
        cmd: 'exec sleep 300',
        cpus: 0.1,
        mem: 16,
        instances: index === 0 ? 1 : 0,
      });
      expect({ authorization: authorization.split(' ')[0], status: created.status }).toEqual({
        authorization: authorization.split(' ')[0],
        status: 201,
      });
    }
    await waitForRunningTasks(master, '/auth/app-0', 1, { onTimeout: logs });
    const created = (await allEvents(master)).filter((e) => e.type === 'AppCreated');
    expect(created.map((e) => e.actor)).toEqual(['ops', 'ops', 'ops']);
    // Each command served is one JSON log line with its actor and the correlation id of its events.
    const served = master
      .stderr()
      .split('\n')
      .filter((line) => line.includes('"command served"'))
      .map((line) => JSON.parse(line) as { command: string; actor: string; correlationId: string });
    for (const event of created) {
      expect(served).toContainEqual(
        expect.objectContaining({ command: 'CreateApp', actor: 'ops', correlationId: event.correlationId }),
      );
    }
    // The agent's token reads nothing but the agent API, and a viewer's token does not reach that.
    expect((await as('GET', '/v2/apps', `Bearer ${TEST_AGENT_TOKEN}`)).status).toBe(403);
    const register = await as('POST', '/internal/v1/agents/register', `Bearer ${EYES.token}`, {});
    expect(register.status).toBe(403);
  });

  it('the CLI sends CAIRN_TOKEN; without it the master says 401', async () => {
    const withToken = await cli(['apps', 'list', '--json'], { env: master.cliEnv() });
    expect({ code: withToken.code, stderr: withToken.stderr }).toEqual({ code: 0, stderr: '' });
    expect(withToken.stdout).toContain('/auth/app-0');
    const without = await cli(['apps', 'list'], { env: { ...master.cliEnv(), CAIRN_TOKEN: undefined } });
    expect(without.code).toBe(1);
    expect(without.stderr).toContain('Not Authenticated!');
  });

  it('never writes a token to its log', () => {
    for (const token of [OPS.token, EYES.token, TEST_AGENT_TOKEN, 'wrong-token-0123456789']) {
      expect(master.stderr()).not.toContain(token);
    }
    expect(master.stderr()).toContain('refused GET /v2/apps');
  });
});

describe('a master reachable from other machines needs auth [file]', () => {
  it('refuses to start on a non-loopback address without CAIRN_AUTH_FILE, and starts, loudly, with CAIRN_AUTH=none', async () => {
    const env = {
      CAIRN_HOST: '0.0.0.0',
      CAIRN_PORT: String(await freePort()),
      CAIRN_AGENT_TOKEN: TEST_AGENT_TOKEN,
      CAIRN_DATA_DIR: tempDir('auth-refused'),
    };
    const refused = await cli(['master'], { env, timeoutMs: 20_000 });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('not a loopback address and no CAIRN_AUTH_FILE is set');

    const open = await startMaster({
      backend: 'file',
      env: { ...TEST_MASTER_AGENT_ENV, CAIRN_HOST: '0.0.0.0', CAIRN_AUTH: 'none' },
    });
    try {
      expect((await open.http.get('/v2/apps')).status).toBe(200);
      expect(open.stderr()).toContain('RUNNING WITHOUT AUTHENTICATION ON 0.0.0.0');
    } finally {
      await open.stop();
    }
  });
});

describe('auth through a standby, and its readiness [kafka]', () => {
  const masters: MasterHandle[] = [];

  afterAll(async () => {
    for (const m of masters.reverse()) await m.stop();
  });

  it('a standby checks the credentials, forwards them, and the leader records the same actor; the standby is ready', async () => {
    requireKafkaBrokers();
    const authFile = join(tempDir('auth-ha'), 'auth.json');
    writeFileSync(authFile, JSON.stringify([OPS, EYES]));
    const env = { CAIRN_AUTH_FILE: authFile, CAIRN_ELECTION_HEARTBEAT_MS: '300', CAIRN_ELECTION_TIMEOUT_MS: '3000' };
    const leader = await startMaster({ backend: 'kafka', env, token: EYES.token });
    masters.push(leader);
    await waitFor(async () => ((await leader.http.get('/v1/info')).body?.role === 'leader' ? true : undefined), {
      describe: 'the first master to lead',
    });
    const standby = await startMaster({ backend: 'kafka', cluster: leader.cluster, env, token: EYES.token });
    masters.push(standby);
    await waitFor(async () => ((await standby.http.get('/v1/info')).body?.role === 'standby' ? true : undefined), {
      describe: 'the second master to follow',
    });
    const to = (path: string, authorization?: string, json?: unknown) =>
      sendRequest<Record<string, unknown>>(new URL(path, standby.url), json === undefined ? 'GET' : 'POST', json, {
        headers: authorization ? { authorization } : {},
      });

    // Refused at the standby: nothing reaches the leader.
    expect((await to('/v2/apps', undefined, { id: '/ha/no', cmd: 'sleep 1' })).status).toBe(401);
    expect((await to('/v2/apps', `Bearer ${EYES.token}`, { id: '/ha/no', cmd: 'sleep 1' })).status).toBe(403);
    // Allowed: forwarded with its credentials, checked again by the leader, recorded as the token's name.
    const created = await to('/v2/apps', basic('ops', OPS.token), { id: '/ha/yes', cmd: 'sleep 1', instances: 0 });
    expect(created.status).toBe(201);
    const events = await allEvents(leader);
    expect(events.filter((e) => e.type === 'AppCreated').map((e) => [e.data.app.id, e.actor])).toEqual([
      ['/ha/yes', 'ops'],
    ]);

    // Readiness: the leader and a caught-up standby are ready (the probes need no token).
    expect((await as(leader, '/v1/health/ready')).body).toMatchObject({ status: 'ready', role: 'leader' });
    const standbyReady = await waitFor(
      async () => {
        const res = await as(standby, '/v1/health/ready');
        return res.status === 200 ? res.body : undefined;
      },
      { describe: 'the standby to be ready' },
    );
    expect(standbyReady).toMatchObject({ status: 'ready', role: 'standby' });
    // Caught up: at most the transaction marker after the last event (it takes an offset on Kafka).
    expect(standbyReady.lagOffsets).toBeLessThanOrEqual(1);
  });

  function as(master: MasterHandle, path: string) {
    return sendRequest<Record<string, unknown>>(new URL(path, master.url), 'GET', undefined, {});
  }
});
