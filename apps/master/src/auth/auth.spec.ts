import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/cairn-config';
import { accessFor, allows } from './access-policy';
import { AGENT_TOKEN_ENTRY_NAME, resolveApiAuth } from './api-auth';
import { readAuthFile } from './auth-file';
import { Authenticator } from './authenticator';
import { credentialsOf } from './credentials';

const OPS = { name: 'ops', role: 'admin' as const, token: 'ops-token-0123456789' };
const EYES = { name: 'eyes', role: 'viewer' as const, token: 'eyes-token-0123456789' };
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

function authFile(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'cairn-auth-')), 'auth.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('credentialsOf: the ways Marathon clients present a token', () => {
  it('reads Bearer, token= (marathon-python auth_token) and Basic name:token', () => {
    expect(credentialsOf('Bearer abc')).toEqual({ token: 'abc' });
    expect(credentialsOf('bearer abc')).toEqual({ token: 'abc' });
    expect(credentialsOf('token=abc')).toEqual({ token: 'abc' });
    expect(credentialsOf(basic('ops', 'p:a:ss'))).toEqual({ name: 'ops', token: 'p:a:ss' });
    expect(credentialsOf(undefined)).toBeUndefined();
    expect(credentialsOf('  ')).toBeUndefined();
    for (const bad of ['Bearer', 'token=', 'Digest x', basic('', 'x'), basic('ops', ''), 'abc']) {
      expect(credentialsOf(bad)).toBe('malformed');
    }
  });
});

describe('Authenticator', () => {
  const auth = new Authenticator([OPS, EYES]);
  it('knows a token in every form, and Basic only with its own name', () => {
    expect(auth.authenticate(`Bearer ${OPS.token}`)).toEqual({ ok: true, name: 'ops', role: 'admin' });
    expect(auth.authenticate(`token=${EYES.token}`)).toEqual({ ok: true, name: 'eyes', role: 'viewer' });
    expect(auth.authenticate(basic('ops', OPS.token))).toEqual({ ok: true, name: 'ops', role: 'admin' });
    expect(auth.authenticate(basic('eyes', OPS.token))).toEqual({ ok: false, reason: 'bad' });
    expect(auth.authenticate(`Bearer ${OPS.token}x`)).toEqual({ ok: false, reason: 'bad' });
    expect(auth.authenticate(undefined)).toEqual({ ok: false, reason: 'missing' });
    expect(auth.authenticate('Negotiate abc')).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('access policy', () => {
  it('keeps the probes open, the agent API for agents, reads for viewers and admins, writes for admins', () => {
    expect(accessFor('GET', '/ping')).toBe('open');
    expect(accessFor('GET', '/v1/health/ready?x=1')).toBe('open');
    expect(accessFor('GET', '/openapi.json')).toBe('open');
    expect(accessFor('GET', '/openapi')).toBe('open');
    expect(accessFor('GET', '/openapi/swagger-ui.css')).toBe('open');
    expect(accessFor('POST', '/openapi.json')).toBe('open'); // no such route: a 404 either way
    expect(accessFor('POST', '/internal/v1/agents/register')).toBe('agent');
    expect(accessFor('GET', '/internal/v1/agents/a-1/commands')).toBe('agent');
    expect(accessFor('GET', '/v2/apps')).toBe('read');
    expect(accessFor('GET', '/metrics')).toBe('read');
    expect(accessFor('POST', '/v2/apps')).toBe('write');
    expect(accessFor('DELETE', '/v2/leader')).toBe('write');
    // Agent maintenance is an operator's write (admin), not the agents' API.
    expect(accessFor('POST', '/v1/agents/a-1/drain')).toBe('write');
    expect(accessFor('POST', '/v1/agents/a-1/reactivate')).toBe('write');
    expect(allows('viewer', accessFor('POST', '/v1/agents/a-1/drain'))).toBe(false);
    expect(allows('agent', accessFor('POST', '/v1/agents/a-1/drain'))).toBe(false);
    expect(allows('admin', 'write')).toBe(true);
    expect(allows('viewer', 'read')).toBe(true);
    expect(allows('viewer', 'write')).toBe(false);
    expect(allows('viewer', 'agent')).toBe(false);
    expect(allows('admin', 'agent')).toBe(false);
    expect(allows('agent', 'read')).toBe(false);
    expect(allows('agent', 'agent')).toBe(true);
  });
});

describe('CAIRN_AUTH_FILE and the loopback rule', () => {
  it('reads entries, and refuses a bad file naming the entry but never a token', () => {
    expect(readAuthFile(authFile([OPS, EYES]))).toEqual([OPS, EYES]);
    const cases: [unknown, RegExp][] = [
      ['not json', /is not JSON/],
      [[], /at least one entry/],
      [[{ ...OPS, role: 'root' }], /entry 0: role/],
      [[{ ...OPS, token: 'short' }], /entry 0: token: a token has at least 16 characters/],
      [[OPS, { ...EYES, name: 'ops' }], /the name 'ops' is given twice/],
      [[OPS, { ...EYES, token: OPS.token }], /'eyes' has the token of another entry/],
    ];
    for (const [content, message] of cases) {
      let error: Error | undefined;
      try {
        readAuthFile(authFile(content));
      } catch (e) {
        error = e as Error;
      }
      expect(error?.message).toMatch(message);
      expect(error?.message).not.toContain(OPS.token);
    }
  });

  it('adds CAIRN_AGENT_TOKEN as an implicit agent entry', () => {
    const config = loadConfig({ CAIRN_AUTH_FILE: authFile([OPS]) });
    const auth = resolveApiAuth(config, 'agent-token-0123456789');
    expect(auth.authenticator!.authenticate('Bearer agent-token-0123456789')).toEqual({
      ok: true,
      name: AGENT_TOKEN_ENTRY_NAME,
      role: 'agent',
    });
    expect(auth.description).toContain('1 admin, 0 viewer, 1 agent');
  });

  it('serves without auth on loopback only, unless CAIRN_AUTH=none says so (loudly)', () => {
    expect(resolveApiAuth(loadConfig({}), 't').authenticator).toBeNull();
    expect(() => resolveApiAuth(loadConfig({ CAIRN_HOST: '0.0.0.0' }), 't')).toThrow(
      /not a loopback address and no CAIRN_AUTH_FILE is set/,
    );
    const none = resolveApiAuth(loadConfig({ CAIRN_HOST: '0.0.0.0', CAIRN_AUTH: 'none' }), 't');
    expect(none.authenticator).toBeNull();
    expect(none.warning).toMatch(/WITHOUT authentication on 0\.0\.0\.0/);
    expect(() => loadConfig({ CAIRN_AUTH: 'off' })).toThrow(/CAIRN_AUTH 'off' must be 'none'/);
    expect(() => loadConfig({ CAIRN_AUTH: 'none', CAIRN_AUTH_FILE: '/x' })).toThrow(/contradict/);
  });
});
