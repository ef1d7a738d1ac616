import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AgentOptionsError } from '../agent-errors';
import { parseAgentOptions, parseAttributes, parseResourceOverrides, resolveAgentOptions } from './agent-options';

const NO_ENV = {};

describe('parseAgentOptions', () => {
  it('fills the defaults: local master, detected resources, this host, files port 5051, loopback files server', () => {
    expect(parseAgentOptions(['--work-dir', 'w'], NO_ENV)).toEqual({
      masters: ['http://127.0.0.1:8080'],
      workDir: resolve('w'),
      resources: {},
      hostname: hostname(),
      attributes: {},
      port: 5051,
      ip: '127.0.0.1',
      token: undefined,
    });
  });

  it('reads every flag', () => {
    const options = parseAgentOptions(
      [
        '--master',
        'http://m1:8080/, http://m2:8080',
        '--work-dir',
        '/var/lib/cairn',
        '--resources',
        'cpus:4;mem:8192;disk:10000;ports:[31000-32000]',
        '--hostname',
        'node-1',
        '--attributes',
        'rack=a,zone=1',
        '--port',
        '0',
      ],
      NO_ENV,
    );
    expect(options).toEqual({
      masters: ['http://m1:8080', 'http://m2:8080'],
      workDir: '/var/lib/cairn',
      resources: { cpus: 4, mem: 8192, disk: 10000, ports: [[31000, 32000]] },
      hostname: 'node-1',
      attributes: { rack: 'a', zone: '1' },
      port: 0,
      ip: '0.0.0.0', // a master on another machine must reach the files server
      token: undefined,
    });
  });

  it('accepts --master given several times', () => {
    const options = parseAgentOptions(['--master', 'http://a:1', '--master', 'http://b:2', '--work-dir', 'w'], NO_ENV);
    expect(options.masters).toEqual(['http://a:1', 'http://b:2']);
  });

  it('takes the master from CAIRN_MASTER and the token from CAIRN_AGENT_TOKEN', () => {
    const options = parseAgentOptions(['--work-dir', 'w'], {
      CAIRN_MASTER: 'http://127.0.0.1:9000',
      CAIRN_AGENT_TOKEN: ' s3cret\n',
    });
    expect(options.masters).toEqual(['http://127.0.0.1:9000']);
    expect(options.token).toBe('s3cret');
  });

  it('without CAIRN_MASTER, looks for the master where CAIRN_PORT (and CAIRN_HOST) start it', () => {
    expect(parseAgentOptions(['--work-dir', 'w'], { CAIRN_PORT: '18080' }).masters).toEqual(['http://127.0.0.1:18080']);
    expect(parseAgentOptions(['--work-dir', 'w'], { CAIRN_PORT: '18080', CAIRN_HOST: '0.0.0.0' }).masters).toEqual([
      'http://127.0.0.1:18080',
    ]);
    expect(parseAgentOptions(['--work-dir', 'w'], { CAIRN_PORT: '1', CAIRN_HOST: '10.0.0.5' }).masters).toEqual([
      'http://10.0.0.5:1',
    ]);
    expect(parseAgentOptions(['--work-dir', 'w'], {}).masters).toEqual(['http://127.0.0.1:8080']);
  });

  it('prefers --token-file over the environment, without the trailing newline', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-agent-options-'));
    try {
      writeFileSync(join(dir, 'token'), 'file-token\n');
      const options = resolveAgentOptions(
        { workDir: 'w', tokenFile: join(dir, 'token') },
        { CAIRN_AGENT_TOKEN: 'env' },
      );
      expect(options.token).toBe('file-token');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    { name: 'a missing work dir', argv: [], option: '--work-dir' },
    { name: 'a master that is not a URL', argv: ['--work-dir', 'w', '--master', 'm1:8080'], option: '--master' },
    { name: 'a master that is not http', argv: ['--work-dir', 'w', '--master', 'ftp://m1'], option: '--master' },
    { name: 'a port out of range', argv: ['--work-dir', 'w', '--port', '70000'], option: '--port' },
    { name: 'a port that is not a number', argv: ['--work-dir', 'w', '--port', 'http'], option: '--port' },
    { name: 'unreadable resources', argv: ['--work-dir', 'w', '--resources', 'cpus:x'], option: '--resources' },
    { name: 'an unknown flag', argv: ['--work-dir', 'w', '--wrok-dir', 'x'], option: 'arguments' },
    { name: 'a stray argument', argv: ['--work-dir', 'w', 'extra'], option: 'arguments' },
    {
      name: 'a token file that does not exist',
      argv: ['--work-dir', 'w', '--token-file', '/nonexistent/t'],
      option: '--token-file',
    },
  ])('refuses $name', ({ argv, option }) => {
    let caught: unknown;
    try {
      parseAgentOptions(argv, NO_ENV);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AgentOptionsError);
    expect((caught as AgentOptionsError).details.option).toBe(option);
  });
});

describe('parseResourceOverrides', () => {
  it('keeps only the resources it names, so the others are detected', () => {
    expect(parseResourceOverrides('cpus:2')).toEqual({ cpus: 2 });
    expect(parseResourceOverrides('mem:512; ports:[31000-31005,31010-31020]')).toEqual({
      mem: 512,
      ports: [
        [31000, 31005],
        [31010, 31020],
      ],
    });
  });

  it('gives no ports for ports:[]', () => {
    expect(parseResourceOverrides('ports:[]')).toEqual({ ports: [] });
  });
});

describe('parseAttributes', () => {
  it('reads name=value pairs', () => {
    expect(parseAttributes('rack=a, zone=1,os=')).toEqual({ rack: 'a', zone: '1', os: '' });
  });

  it.each(['rack', '=a', 'rack=a,rack=b', 'ra ck=a'])('refuses %p', (raw) => {
    expect(() => parseAttributes(raw)).toThrow(AgentOptionsError);
  });
});
