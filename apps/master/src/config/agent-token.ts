import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CairnConfig, ConfigError } from './cairn-config';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/** Whether a master bound to `host` is reachable from this machine only. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.test(host);
}

/**
 * The token agents must present. From CAIRN_AGENT_TOKEN, or, for a master bound to loopback
 * only (a dev cluster), generated once into `<dataDir>/agent-token` (mode 0600) where local
 * agents read it. A master reachable from other machines refuses to start without one.
 */
export function resolveAgentToken(config: CairnConfig): { token: string; file: string | null } {
  if (config.agentToken) return { token: config.agentToken, file: null };
  if (!isLoopbackHost(config.host)) {
    throw new ConfigError(
      `CAIRN_HOST=${config.host} is not a loopback address: set CAIRN_AGENT_TOKEN so that only your agents can join`,
    );
  }
  const file = agentTokenFile(config.dataDir);
  if (existsSync(file)) return { token: readFileSync(file, 'utf8').trim(), file };
  mkdirSync(config.dataDir, { recursive: true });
  const token = randomBytes(24).toString('base64url');
  writeFileSync(file, token + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return { token, file };
}

export function agentTokenFile(dataDir: string): string {
  return join(dataDir, 'agent-token');
}
