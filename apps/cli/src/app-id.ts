import { UsageError } from './errors';

/**
 * App ids as the operator types them (`prod/web` or `/prod/web`) and as the API's paths need
 * them. An id with no segment is a usage error (exit 2) before any request.
 */

/** `/prod/web` for `prod/web` or `/prod/web`, each segment URL-encoded: the tail of /v2/apps/..., /v2/queue/.... */
export function encodedAppId(id: string): string {
  const segments = id.split('/').filter((segment) => segment !== '');
  if (segments.length === 0) throw new UsageError(`'${id}' is not an app id (expected e.g. /prod/web)`);
  return '/' + segments.map(encodeURIComponent).join('/');
}

/** `/v2/apps/prod/web`. */
export function appPath(id: string): string {
  return '/v2/apps' + encodedAppId(id);
}

/** The absolute id for messages: `/prod/web` for `prod/web`. */
export function displayId(id: string): string {
  return '/' + id.split('/').filter(Boolean).join('/');
}
