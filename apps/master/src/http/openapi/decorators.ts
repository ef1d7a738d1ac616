import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiResponse } from '@nestjs/swagger';
import type {
  OperationObject,
  ParameterObject,
  ResponseObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { LOG_OFFSET_PATTERN, LOG_TIME_PATTERN } from '@cairn/events';
import type { JsonSchema } from '../validation/json-shape';
import { ref, type SchemaName } from './schemas';

/**
 * Decorators that document a route in the served OpenAPI document (docs/ARCHITECTURE.md,
 * "The OpenAPI document", says how to document a new controller). Statuses every route can answer
 * (401, 403, 503 + Retry-After; 400, 413 and 415 for a route with a body) are added to every
 * operation when the document is built (openapi.ts), so a route lists only its own.
 */

/** The error statuses a route's own code answers, each in Marathon's error shape. */
export type ErrorStatus = 400 | 404 | 409 | 422 | 403 | 503;

const ERROR_DESCRIPTIONS: Record<ErrorStatus, string> = {
  400: 'A malformed parameter (`{message}`)',
  403: 'Refused (too many deployments, or a role that may not: `{message}`)',
  404: 'Not found (`{message}`)',
  409: 'Locked by a deployment in progress (`{message, deployments}`; `force=true` overrides) or a conflict',
  422: "Invalid: Marathon's `{message, details: [{path, errors}]}`",
  503: 'Not now: the master is starting, has no leader, or its command queue is full (`Retry-After` says when)',
};

export function errorResponse(status: ErrorStatus | 401 | 413 | 415, description?: string): ResponseObject {
  const schema = status === 422 ? ref('ValidationError') : status === 503 ? ref('Unavailable') : ref('Error');
  return {
    description: description ?? (ERROR_DESCRIPTIONS as Record<number, string>)[status] ?? `HTTP ${status}`,
    content: { 'application/json': { schema } },
    ...(status === 503 ? { headers: { 'Retry-After': RETRY_AFTER } } : {}),
  } as ResponseObject;
}

export const RETRY_AFTER = {
  description: 'Seconds to wait before trying again',
  schema: { type: 'integer', minimum: 0 },
} as const;

/** The route's own error statuses. */
export function ApiErrors(...statuses: ErrorStatus[]): MethodDecorator {
  return applyDecorators(
    ...statuses.map((status) => ApiResponse({ status, ...errorResponse(status) } as Parameters<typeof ApiResponse>[0])),
  );
}

/** A JSON answer with a named (or inline) schema. */
export function ApiJson(
  status: number,
  schema: SchemaName | JsonSchema,
  description: string,
  headers?: Record<string, unknown>,
): MethodDecorator {
  return ApiResponse({
    status,
    description,
    content: { 'application/json': { schema: typeof schema === 'string' ? ref(schema) : schema } },
    ...(headers ? { headers } : {}),
  } as Parameters<typeof ApiResponse>[0]);
}

/** Marathon's write headers, and Cairn's. */
export const WRITE_HEADERS = {
  'Marathon-Deployment-Id': { description: 'The deployment the write started', schema: { type: 'string' } },
  'X-Cairn-Offset': { description: "The log offset of the write's last event", schema: { type: 'string' } },
  'X-Cairn-Ignored-Fields': {
    description: 'Unknown top-level app fields the write did not store (comma-separated, each percent-encoded)',
    schema: { type: 'string' },
  },
} as const;

/** What a write answers with 200: Marathon's deploymentResult, or Cairn's dry run (`?dryRun=true`). */
export const WRITE_RESULT = {
  oneOf: [{ $ref: '#/components/schemas/DeploymentResult' }, { $ref: '#/components/schemas/DryRun' }],
} as const;

/** `force` and `dryRun` as parameters of an @ApiRoutes operation (ApiWriteFlags is for plain routes). */
export const WRITE_QUERY_PARAMETERS: readonly ParameterObject[] = [
  {
    name: 'force',
    in: 'query',
    required: false,
    description: 'Override a deployment lock',
    schema: { type: 'boolean' },
  },
  { name: 'dryRun', in: 'query', required: false, description: 'Decide, write nothing', schema: { type: 'boolean' } },
] as ParameterObject[];

/**
 * `force` (override a deployment lock) and `?dryRun=true` (Cairn's: decide, write nothing), with
 * the 400 of a malformed `dryRun`. The route's 200 names `DryRun` itself (alone, or in a `oneOf`
 * with what the write answers), so that one response object describes every 200.
 */
export function ApiWriteFlags(options: { dryRun?: boolean; force?: boolean } = {}): MethodDecorator {
  const { dryRun = true, force = true } = options;
  return applyDecorators(
    ...(force
      ? [
          ApiQuery({
            name: 'force',
            required: false,
            description: 'Override a deployment lock',
            schema: { type: 'boolean' },
          }),
        ]
      : []),
    ...(dryRun
      ? [
          ApiQuery({
            name: 'dryRun',
            required: false,
            description:
              "Cairn's: decide the write on a fork of the state and answer what it would do (Marathon ignores it)",
            schema: { type: 'boolean' },
          }),
          ApiErrors(400),
        ]
      : []),
  );
}

/** A JSON request body of a named (or inline) schema. */
export function ApiJsonBody(schema: SchemaName | JsonSchema, description: string, required = true): MethodDecorator {
  return ApiBody({ required, description, schema: typeof schema === 'string' ? ref(schema) : schema } as Parameters<
    typeof ApiBody
  >[0]);
}

/** A query parameter read as a string (repeatable ones as arrays). */
export function ApiQueryParam(
  name: string,
  description: string,
  schema: JsonSchema = { type: 'string' },
  required = false,
): MethodDecorator {
  return ApiQuery({ name, required, description, schema } as Parameters<typeof ApiQuery>[0]);
}

export const API_ROUTES = 'cairn:openapi-routes';

/**
 * For a handler that serves several paths through one wildcard (`@Get('*')`: app ids hold
 * slashes), the operations it serves, by documented path: they replace the wildcard's own
 * operation when the document is built. Path parameters are declared in the path (`{appId}`); the
 * routes' common statuses are added as for any other operation.
 */
export function ApiRoutes(routes: Record<string, RouteDoc>): MethodDecorator {
  return SetMetadata(API_ROUTES, routes);
}

export interface RouteDoc {
  readonly summary: string;
  readonly description?: string;
  readonly parameters?: readonly ParameterObject[];
  readonly requestBody?: OperationObject['requestBody'];
  readonly responses: Record<string, ResponseObject>;
}

/** Helpers to write a RouteDoc's pieces. */
export const doc = {
  json(schema: SchemaName | JsonSchema, description: string, headers?: Record<string, unknown>): ResponseObject {
    return {
      description,
      content: { 'application/json': { schema: typeof schema === 'string' ? ref(schema) : schema } },
      ...(headers ? { headers } : {}),
    } as ResponseObject;
  },
  error: errorResponse,
  query(name: string, description: string, schema: JsonSchema = { type: 'string' }): ParameterObject {
    return { name, in: 'query', required: false, description, schema } as ParameterObject;
  },
  path(name: string, description: string, schema: JsonSchema = { type: 'string' }): ParameterObject {
    return { name, in: 'path', required: true, description, schema } as ParameterObject;
  },
};

/**
 * An app id in a path: `/v2/apps/{appId}/...` takes the rest of the URL, so the id's slashes may
 * be sent raw (`/v2/apps//prod/web`, what marathon-python sends) or percent-encoded.
 */
export const APP_ID_PARAMETER: ParameterObject = {
  ...doc.path('appId', 'The app id (its slashes raw, `/v2/apps//prod/web`, or percent-encoded)', {
    type: 'string',
    pattern: '^/?[a-z0-9]([a-z0-9.-]*[a-z0-9])?(/[a-z0-9]([a-z0-9.-]*[a-z0-9])?)*$',
  }),
  example: '/prod/web',
};

/** A JavaScript pattern as the document's (ECMA-262) `pattern`: `\\d` spelt `[0-9]`, as JS reads it without `u`. */
function patternOf(regex: RegExp): string {
  return regex.source.replaceAll('\\d', '[0-9]');
}

/** A point of the log in a query (`from`, `at`, `since` …): an offset or a time (libs/events, parseLogPosition). */
export const LOG_POSITION: JsonSchema = {
  type: 'string',
  pattern: `${patternOf(LOG_OFFSET_PATTERN)}|${patternOf(LOG_TIME_PATTERN)}`,
  example: '2026-12-06T14:02:00Z',
};
/** A time of the log in a query (`since`). */
export const LOG_TIME: JsonSchema = {
  type: 'string',
  pattern: patternOf(LOG_TIME_PATTERN),
  example: '2026-12-06T14:02:00Z',
};
/** A whole number in a query (`to`, `limit`). */
export const QUERY_COUNT: JsonSchema = { type: 'integer', minimum: 0 };

export { ApiOperation };
