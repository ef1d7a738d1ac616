import { DEFAULT_MASTER_URL, localMasterUrl } from '@cairn/common';
import { readFileSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseResources } from '@cairn/domain/resources';
import { AgentOptionsError } from '../agent-errors';

/** Where the files server listens unless `--port` says otherwise (Mesos agents use 5051). */
export const DEFAULT_FILES_PORT = 5051;
export { DEFAULT_MASTER_URL };
export const TOKEN_ENV = 'CAIRN_AGENT_TOKEN';
export const MASTER_ENV = 'CAIRN_MASTER';

/**
 * Resources named in `--resources`; the others are detected when the agent starts (as a Mesos
 * agent does: `--resources cpus:2` still detects mem and disk).
 */
export interface ResourceOverrides {
  cpus?: number;
  mem?: number;
  disk?: number;
  ports?: [number, number][];
}

export interface AgentOptions {
  /** Master base URLs, tried in turn; no trailing slash. */
  masters: string[];
  /** Absolute. Holds agent.json, status-updates/ and sandboxes/. */
  workDir: string;
  resources: ResourceOverrides;
  hostname: string;
  attributes: Record<string, string>;
  /** Files server port; 0 picks a free one. */
  port: number;
  /** Files server address: loopback when every master is on this machine, else all interfaces. */
  ip: string;
  /** The cluster's agent token (`Authorization: Bearer`); undefined sends none. */
  token: string | undefined;
}

/** Flags as commander (camelCase) or parseArgs give them: raw strings, all optional. */
export interface AgentFlags {
  master?: string | string[];
  workDir?: string;
  resources?: string;
  hostname?: string;
  attributes?: string;
  port?: string | number;
  ip?: string;
  tokenFile?: string;
}

/** `cairn agent` arguments (those after `agent`) and the environment → options. Throws AgentOptionsError. */
export function parseAgentOptions(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): AgentOptions {
  let values: Record<string, string | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        master: { type: 'string', multiple: true },
        'work-dir': { type: 'string' },
        resources: { type: 'string' },
        hostname: { type: 'string' },
        attributes: { type: 'string' },
        port: { type: 'string' },
        ip: { type: 'string' },
        'token-file': { type: 'string' },
      },
    }) as { values: Record<string, string | string[] | undefined> });
  } catch (error) {
    throw new AgentOptionsError({ option: 'arguments', reason: (error as Error).message });
  }
  return resolveAgentOptions(
    {
      master: values.master,
      workDir: values['work-dir'] as string | undefined,
      resources: values.resources as string | undefined,
      hostname: values.hostname as string | undefined,
      attributes: values.attributes as string | undefined,
      port: values.port as string | undefined,
      ip: values.ip as string | undefined,
      tokenFile: values['token-file'] as string | undefined,
    },
    env,
  );
}

/** Flags already split by a CLI parser (commander) → options. Throws AgentOptionsError. */
export function resolveAgentOptions(flags: AgentFlags, env: NodeJS.ProcessEnv = process.env): AgentOptions {
  const masters = parseMasters(flags.master ?? env[MASTER_ENV] ?? localMasterUrl(env));
  if (flags.workDir === undefined || flags.workDir.trim() === '') {
    throw new AgentOptionsError({ option: '--work-dir', reason: 'is required (the agent keeps its tasks there)' });
  }
  return {
    masters,
    workDir: resolve(flags.workDir),
    resources: flags.resources === undefined ? {} : parseResourceOverrides(flags.resources),
    hostname: parseHostname(flags.hostname),
    attributes: flags.attributes === undefined ? {} : parseAttributes(flags.attributes),
    port: flags.port === undefined ? DEFAULT_FILES_PORT : parsePort(String(flags.port)),
    ip: flags.ip ?? (masters.every(isLoopbackUrl) ? '127.0.0.1' : '0.0.0.0'),
    token: readAgentToken(flags.tokenFile, env),
  };
}

/** `URL[,URL…]`, possibly given several times; each an http(s) URL. */
export function parseMasters(raw: string | string[]): string[] {
  const parts = (Array.isArray(raw) ? raw : [raw])
    .flatMap((item) => item.split(','))
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (parts.length === 0) throw new AgentOptionsError({ option: '--master', reason: 'names no URL' });
  return parts.map((part) => {
    let url: URL;
    try {
      url = new URL(part);
    } catch {
      throw new AgentOptionsError({
        option: '--master',
        reason: `'${part}' is not a URL (e.g. ${DEFAULT_MASTER_URL})`,
      });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new AgentOptionsError({ option: '--master', reason: `'${part}' must be an http:// or https:// URL` });
    }
    return part.replace(/\/+$/, '');
  });
}

/** Mesos's resource text (`cpus:4;mem:8192;disk:10000;ports:[31000-32000]`), keeping only what was named. */
export function parseResourceOverrides(raw: string): ResourceOverrides {
  let parsed;
  try {
    parsed = parseResources(raw);
  } catch (error) {
    throw new AgentOptionsError({ option: '--resources', reason: (error as Error).message });
  }
  const named = new Set(
    raw
      .split(';')
      .map((token) => token.split(':')[0].trim())
      .filter((name) => name !== ''),
  );
  const overrides: ResourceOverrides = {};
  if (named.has('cpus')) overrides.cpus = parsed.cpus;
  if (named.has('mem')) overrides.mem = parsed.mem;
  if (named.has('disk')) overrides.disk = parsed.disk;
  if (named.has('ports')) overrides.ports = parsed.ports.map(([begin, end]) => [begin, end]);
  return overrides;
}

const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]+$/;

/** `rack=a,zone=1` → `{ rack: 'a', zone: '1' }`. */
export function parseAttributes(raw: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const item of raw.split(',')) {
    const token = item.trim();
    if (token === '') continue;
    const equals = token.indexOf('=');
    const name = equals < 0 ? token : token.slice(0, equals).trim();
    if (equals < 0 || !ATTRIBUTE_NAME.test(name)) {
      throw new AgentOptionsError({
        option: '--attributes',
        reason: `'${token}' is not 'name=value' (names: letters, digits, '_', '.', '-')`,
      });
    }
    if (name in attributes) {
      throw new AgentOptionsError({ option: '--attributes', reason: `'${name}' is given twice` });
    }
    attributes[name] = token.slice(equals + 1).trim();
  }
  return attributes;
}

export function parsePort(raw: string): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value > 65_535) {
    throw new AgentOptionsError({
      option: '--port',
      reason: `'${raw}' is not a port number (0-65535; 0 picks a free one)`,
    });
  }
  return value;
}

function parseHostname(raw: string | undefined): string {
  if (raw === undefined) return osHostname();
  const value = raw.trim();
  if (value === '' || /\s/.test(value)) {
    throw new AgentOptionsError({ option: '--hostname', reason: `'${raw}' is not a host name` });
  }
  return value;
}

/** `--token-file` wins over CAIRN_AGENT_TOKEN, which wins over CAIRN_TOKEN; surrounding blanks (a trailing newline) are not part of it. */
export function readAgentToken(tokenFile: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (tokenFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(tokenFile, 'utf8');
    } catch (error) {
      throw new AgentOptionsError({
        option: '--token-file',
        reason: `cannot read '${tokenFile}': ${(error as Error).message}`,
      });
    }
    const token = text.trim();
    if (token === '') throw new AgentOptionsError({ option: '--token-file', reason: `'${tokenFile}' is empty` });
    return token;
  }
  // CAIRN_TOKEN: the one variable every cairn command sends (an `agent` entry of CAIRN_AUTH_FILE).
  const token = (env[TOKEN_ENV] || env.CAIRN_TOKEN)?.trim();
  return token === undefined || token === '' ? undefined : token;
}

function isLoopbackUrl(raw: string): boolean {
  const host = new URL(raw).hostname;
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\./.test(host);
}
