import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { INestApplication, Type } from '@nestjs/common';
import { MetadataScanner } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type {
  OperationObject,
  PathItemObject,
  SchemaObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { CAIRN_VERSION } from '../../version';
import { AppDefinitionDto } from '../validation/dto/app-definition.dto';
import { API_ROUTES, errorResponse, type RouteDoc } from './decorators';
import { RESPONSE_SCHEMAS } from './schemas';

/** Where the document and its browsable page are served (open without auth, like /ping). */
export const OPENAPI_JSON_PATH = '/openapi.json';
export const OPENAPI_PAGE_PATH = '/openapi';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/**
 * The OpenAPI 3.0 document of the master's REST API, generated from the controllers' decorators
 * (@nestjs/swagger), the validation DTOs (request bodies: the same shape checks that validate
 * them) and the response schemas (schemas.ts). What every route can answer is added here:
 * 401/403 (when auth is configured; not on the open routes, `security: []`), 503 with `Retry-After`, and for a route with a body 400
 * (malformed JSON), 413 (over 1 MiB) and 415 (not JSON).
 */
export function createOpenApiDocument(app: INestApplication, controllers: readonly Type[]): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Cairn master')
    .setDescription(
      "Marathon's REST API (`/v2`, in Marathon 1.6's shapes) and Cairn's own (`/v1`). " +
        'Credentials are needed only when the master runs with `CAIRN_AUTH_FILE` (docs/operations.md, "Authentication").',
    )
    .setVersion(CAIRN_VERSION)
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A token of CAIRN_AUTH_FILE' }, 'bearer')
    .addBasicAuth(
      { type: 'http', scheme: 'basic', description: "The token's name as user, the token as password" },
      'basic',
    )
    .addSecurityRequirements({})
    .addSecurityRequirements('bearer')
    .addSecurityRequirements('basic')
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: [AppDefinitionDto],
    operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}`,
  });
  expandWildcardRoutes(controllers, document);
  nullableMembers(document.components?.schemas?.AppDefinition as SchemaObject | undefined);
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, ...(RESPONSE_SCHEMAS as Record<string, object>) },
  };
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (operation) addCommonResponses(operation);
    }
  }
  return document;
}

/**
 * A known top-level app field sent as `null` means "not given" (validate-app-definition.ts drops
 * it, as Marathon's reader does; go-marathon sends `"ports": null`): each is documented nullable
 * (a `$ref` under `allOf`, since OpenAPI 3.0 ignores a `$ref`'s siblings).
 */
function nullableMembers(schema: SchemaObject | undefined): void {
  if (!schema?.properties) throw new Error('OpenAPI: no AppDefinition schema to mark nullable');
  for (const [name, member] of Object.entries(schema.properties)) {
    schema.properties[name] = '$ref' in member ? { allOf: [member], nullable: true } : { ...member, nullable: true };
  }
}

/** Each wildcard handler's operation is replaced by the operations of its `@ApiRoutes`. */
function expandWildcardRoutes(controllers: readonly Type[], document: OpenAPIObject): void {
  const scanner = new MetadataScanner();
  for (const controller of controllers) {
    const prototype = controller.prototype as Record<string, unknown>;
    for (const name of scanner.getAllMethodNames(prototype)) {
      const routes = Reflect.getMetadata(API_ROUTES, prototype[name] as object) as Record<string, RouteDoc> | undefined;
      if (!routes) continue;
      const operationId = `${controller.name.replace(/Controller$/, '')}_${name}`;
      const found = findOperation(document, operationId);
      if (!found) throw new Error(`OpenAPI: no operation ${operationId} to expand`);
      delete (document.paths[found.path] as Record<string, unknown>)[found.method];
      if (Object.keys(document.paths[found.path]).length === 0) delete document.paths[found.path];
      Object.entries(routes).forEach(([path, route], index) => {
        const operation: OperationObject = {
          ...found.operation,
          operationId: Object.keys(routes).length === 1 ? operationId : `${operationId}_${index}`,
          summary: route.summary,
          ...(route.description ? { description: route.description } : {}),
          parameters: [
            ...(found.operation.parameters ?? []).filter((p) => !('in' in p) || p.in !== 'path'),
            ...(route.parameters ?? []),
          ],
          ...(route.requestBody ? { requestBody: route.requestBody } : {}),
          responses: { ...route.responses },
        };
        document.paths[path] = { ...document.paths[path], [found.method]: operation } as PathItemObject;
      });
    }
  }
}

function findOperation(document: OpenAPIObject, operationId: string) {
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (operation?.operationId === operationId) return { path, method, operation };
    }
  }
  return undefined;
}

function addCommonResponses(operation: OperationObject): void {
  const responses = operation.responses as Record<string, unknown>;
  const add = (status: number, response: unknown) => (responses[String(status)] ??= response);
  // `security: []`: open without credentials (/ping, the health probes; auth/access-policy.ts).
  const open = Array.isArray(operation.security) && operation.security.length === 0;
  if (!open)
    add(
      401,
      errorResponse(401, 'No or bad credentials, when the master runs with CAIRN_AUTH_FILE (`WWW-Authenticate`)'),
    );
  if (!open) add(403, errorResponse(403, 'A role that may not do this (a viewer writing, say)'));
  add(503, errorResponse(503));
  if (operation.requestBody) {
    add(
      400,
      errorResponse(400, 'Malformed JSON (a `__proto__` or `constructor` key too), or no body where one is needed'),
    );
    add(413, errorResponse(413, 'A body over 1 MiB'));
    add(415, errorResponse(415, 'A body that is not `application/json`'));
  }
}

/** The page: Swagger UI reading /openapi.json, its assets served from swagger-ui-dist. */
const PAGE = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Cairn API</title>
  <link rel="stylesheet" href="${OPENAPI_PAGE_PATH}/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${OPENAPI_PAGE_PATH}/swagger-ui-bundle.js"></script>
  <script src="${OPENAPI_PAGE_PATH}/swagger-ui-init.js"></script>
</body>
</html>
`;
const INIT = `window.ui = SwaggerUIBundle({ url: '${OPENAPI_JSON_PATH}', dom_id: '#swagger-ui', deepLinking: true });\n`;
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
};

/**
 * Serves the document at /openapi.json and the page at /openapi, as plain Fastify routes (not
 * Nest's: they are not part of the API they describe). Both are open, like /ping: the document
 * holds no cluster data, only what this release serves (auth/access-policy.ts).
 */
export function serveOpenApi(app: NestFastifyApplication, document: OpenAPIObject): void {
  const fastify = app.getHttpAdapter().getInstance();
  const json = JSON.stringify(document);
  const assetsDir = dirname(require.resolve('swagger-ui-dist/package.json'));
  const assets = new Map<string, Buffer>();
  fastify.get(OPENAPI_JSON_PATH, (_request, reply) => {
    void reply.type('application/json; charset=utf-8').send(json);
  });
  fastify.get(OPENAPI_PAGE_PATH, (_request, reply) => {
    void reply.type('text/html; charset=utf-8').send(PAGE);
  });
  fastify.get(`${OPENAPI_PAGE_PATH}/:asset`, (request, reply) => {
    const name = (request.params as { asset: string }).asset;
    if (name === 'swagger-ui-init.js') return void reply.type(ASSETS['swagger-ui-bundle.js']!).send(INIT);
    const type = ASSETS[name];
    if (!type) return void reply.status(404).send({ message: `Unknown asset '${name}'` });
    let body = assets.get(name);
    if (!body) assets.set(name, (body = readFileSync(join(assetsDir, name))));
    void reply.type(type).header('Cache-Control', 'public, max-age=3600').send(body);
  });
}
