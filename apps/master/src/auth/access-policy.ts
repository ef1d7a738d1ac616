import type { Role } from './auth-file';

/** What a request needs: nothing, the agent API's role, a reader, or a writer. */
export type Access = 'open' | 'agent' | 'read' | 'write';

/**
 * Probes a load balancer and a liveness check must reach without a token (Marathon's /ping too),
 * and the API's OpenAPI document and its page (no cluster data: what this release serves).
 */
const OPEN_PATHS = new Set(['/ping', '/v1/health/live', '/v1/health/ready', '/openapi.json', '/openapi']);
/** The page's assets (http/openapi/openapi.ts). */
const OPEN_PREFIX = '/openapi/';
/** The agents' API (agents-internal.controller.ts): registration, command stream, status updates. */
const AGENT_API_PREFIX = '/internal/';

export function accessFor(method: string, url: string): Access {
  const path = url.split('?')[0].replace(/\/+$/, '') || '/';
  if (OPEN_PATHS.has(path) || path.startsWith(OPEN_PREFIX)) return 'open';
  if (path.startsWith(AGENT_API_PREFIX)) return 'agent';
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS' ? 'read' : 'write';
}

/** Whether `role` may do what `access` needs. */
export function allows(role: Role, access: Access): boolean {
  switch (access) {
    case 'open':
      return true;
    case 'agent':
      return role === 'agent';
    case 'read':
      return role === 'admin' || role === 'viewer';
    case 'write':
      return role === 'admin';
  }
}
