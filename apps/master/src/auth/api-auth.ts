import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type CairnConfig, ConfigError } from '../config/cairn-config';
import { isLoopbackHost } from '../config/agent-token';
import { accessFor, allows } from './access-policy';
import { type AuthEntry, checkEntries, readAuthFile } from './auth-file';
import { Authenticator } from './authenticator';
import { setPrincipal } from './principal';

/** How the master authenticates its API, decided once at start. */
export interface ApiAuth {
  /** null: no API auth (loopback, or CAIRN_AUTH=none); the agent API keeps its agent token. */
  readonly authenticator: Authenticator | null;
  /** One line for the start-up log and banner. */
  readonly description: string;
  /** Set when running without auth on a reachable address: said loudly at start. */
  readonly warning: string | null;
}

/** The name CAIRN_AGENT_TOKEN goes by as an implicit `agent` entry (the actor of agents' events). */
export const AGENT_TOKEN_ENTRY_NAME = 'cairn-agent';

/**
 * CAIRN_AUTH_FILE's entries plus CAIRN_AGENT_TOKEN as an implicit `agent` entry; or no auth, which
 * only a loopback master gets by default: on any other address it must be asked for (CAIRN_AUTH=none).
 */
export function resolveApiAuth(config: CairnConfig, agentToken: string): ApiAuth {
  if (config.authFile) {
    const entries = readAuthFile(config.authFile);
    const implicit: AuthEntry[] = entries.some((e) => e.token === agentToken)
      ? []
      : [{ name: AGENT_TOKEN_ENTRY_NAME, role: 'agent', token: agentToken }];
    const all = checkEntries([...entries, ...implicit], `CAIRN_AUTH_FILE ${config.authFile}`);
    const roles = ['admin', 'viewer', 'agent'].map((role) => `${all.filter((e) => e.role === role).length} ${role}`);
    return {
      authenticator: new Authenticator(all),
      description: `tokens from ${config.authFile} (${roles.join(', ')})`,
      warning: null,
    };
  }
  if (config.authNone) {
    return {
      authenticator: null,
      description: 'NONE (CAIRN_AUTH=none): anyone who reaches the master can read and change the cluster',
      warning: isLoopbackHost(config.host)
        ? null
        : `running WITHOUT authentication on ${config.host} (CAIRN_AUTH=none): anyone who reaches it can change the cluster`,
    };
  }
  if (!isLoopbackHost(config.host)) {
    throw new ConfigError(
      `CAIRN_HOST=${config.host} is not a loopback address and no CAIRN_AUTH_FILE is set: anyone who reaches it ` +
        'could change the cluster. Set CAIRN_AUTH_FILE (docs/operations.md, "Authentication"), or CAIRN_AUTH=none ' +
        'to run without authentication knowingly',
    );
  }
  return {
    authenticator: null,
    description: `none on the REST API (bound to loopback ${config.host} only; set CAIRN_AUTH_FILE for tokens)`,
    warning: null,
  };
}

const CHALLENGE = 'Basic realm="Cairn", Bearer realm="Cairn"';

/**
 * Authenticates every request before anything else sees it (the leader proxy included: a standby
 * checks its client, then forwards the credentials, and the leader checks them again). Marathon's
 * answers: 401 with WWW-Authenticate, 403 for a role that may not. No token is ever logged or echoed.
 */
export function useApiAuth(app: NestFastifyApplication, auth: ApiAuth): void {
  const authenticator = auth.authenticator;
  if (!authenticator) return;
  const logger = new Logger('Auth');
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const access = accessFor(request.method, request.url);
    if (access === 'open') return;
    const path = request.url.split('?')[0];
    const result = authenticator.authenticate(request.headers.authorization);
    if (!result.ok) {
      logger.warn(`refused ${request.method} ${path} from ${request.ip}: ${result.reason} credentials`);
      return reply
        .status(401)
        .header('WWW-Authenticate', CHALLENGE)
        .send({ message: result.reason === 'missing' ? 'Not Authenticated!' : 'Invalid username or password.' });
    }
    if (!allows(result.role, access)) {
      logger.warn(`refused ${request.method} ${path} to ${result.name} (${result.role}): needs ${access} access`);
      return reply.status(403).send({ message: 'Not Authorized to perform this action!' });
    }
    setPrincipal(request, { name: result.name, role: result.role });
  });
}
