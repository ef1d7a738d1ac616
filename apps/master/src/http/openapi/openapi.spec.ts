import 'reflect-metadata';
import { Module, type INestApplication } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { OperationObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { AgentGateway } from '../../agents/agent-gateway';
import { AgentTokenGuard } from '../../agents/agent-token.guard';
import { EventLoopMonitor } from '../../core/event-loop-monitor';
import { MasterRuntime } from '../../core/master-runtime';
import { DryRunner } from '../../dry-run/dry-runner';
import { ReadViews } from '../read-views';
import { MASTER_CONTROLLERS } from '../../master.module';
import { MasterMetrics } from '../../metrics/master-metrics';
import { AGENT_TOKEN, EVENT_LOG } from '../../tokens';
import { API_ROUTES } from './decorators';
import { createOpenApiDocument } from './openapi';

/** The controllers with stand-ins for what they inject: the document reads decorators only. */
@Module({
  controllers: MASTER_CONTROLLERS,
  providers: [
    MasterRuntime,
    CommandBus,
    DryRunner,
    ReadViews,
    AgentGateway,
    EventLoopMonitor,
    MasterMetrics,
    AgentTokenGuard,
  ].map((provide) => ({ provide, useValue: {} })),
})
class DocumentOnlyModule {}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
/** Controllers left out of the document on purpose (`@ApiExcludeController`), with the reason. */
const EXCLUDED = { AgentsInternalController: "the agents' own protocol, not a client API" };

describe('the OpenAPI document', () => {
  let app: INestApplication;
  let document: OpenAPIObject;
  const operations: [string, string, OperationObject][] = [];

  beforeAll(async () => {
    app = await NestFactory.create(
      {
        module: DocumentOnlyModule,
        providers: [
          { provide: AGENT_TOKEN, useValue: 'token' },
          { provide: EVENT_LOG, useValue: {} },
        ],
      },
      new FastifyAdapter(),
      { logger: false },
    );
    document = createOpenApiDocument(app, MASTER_CONTROLLERS);
    for (const [path, item] of Object.entries(document.paths)) {
      for (const method of METHODS) if (item[method]) operations.push([method.toUpperCase(), path, item[method]!]);
    }
  });

  afterAll(async () => {
    await app?.close();
  });

  it('has an operation for every route of every controller (a wildcard route: one per path it serves)', () => {
    expect(operations.length).toBeGreaterThan(40);
    const ids = new Set(operations.map(([, , operation]) => operation.operationId));
    const missing: string[] = [];
    for (const controller of MASTER_CONTROLLERS) {
      if (controller.name in EXCLUDED) continue;
      const prototype = controller.prototype as unknown as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        if (typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
        if (Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
        const id = `${controller.name.replace(/Controller$/, '')}_${name}`;
        const routes = Reflect.getMetadata(API_ROUTES, handler) as Record<string, unknown> | undefined;
        const expected =
          routes && Object.keys(routes).length > 1 ? Object.keys(routes).map((_, i) => `${id}_${i}`) : [id];
        for (const one of expected) if (!ids.has(one)) missing.push(`${controller.name}.${name} (${one})`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('documents each operation: a summary, a success answer, no wildcard path, the common statuses', () => {
    const problems: string[] = [];
    for (const [method, path, operation] of operations) {
      const where = `${method} ${path}`;
      if (!operation.summary) problems.push(`${where}: no summary (@ApiOperation)`);
      const statuses = Object.keys(operation.responses);
      if (!statuses.some((s) => /^2\d\d$/.test(s))) problems.push(`${where}: no 2xx response (@ApiJson, @ApiResponse)`);
      if (/\{path\}|\*/.test(path)) problems.push(`${where}: a wildcard route needs @ApiRoutes`);
      const open = operation.security?.length === 0; // /ping and the probes (auth/access-policy.ts)
      for (const status of open ? ['503'] : ['401', '403', '503']) {
        if (!statuses.includes(status)) problems.push(`${where}: no ${status}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('serves /v2 and /v1, and none of the agents API', () => {
    const paths = Object.keys(document.paths);
    expect(paths).toEqual(expect.arrayContaining(['/v2/apps', '/v2/apps/{appId}', '/v2/tasks', '/v1/events', '/ping']));
    expect(paths.filter((p) => p.startsWith('/internal'))).toEqual([]);
  });

  it('takes request bodies from the validation DTOs and resolves every $ref', () => {
    const app = document.components!.schemas!.AppDefinition as { properties: Record<string, unknown> };
    // A top-level field may be null: "not given" (validate-app-definition.ts).
    expect(app.properties.cpus).toEqual({ type: 'number', minimum: 0.001, nullable: true });
    expect(app.properties.healthChecks).toEqual({
      type: 'array',
      items: { $ref: '#/components/schemas/HealthCheck' },
      nullable: true,
    });
    expect(app.properties.container).toEqual({ allOf: [{ $ref: '#/components/schemas/Container' }], nullable: true });
    // A member's own required members survive (ApiProperty's `required` is the property's).
    const healthCheck = document.components!.schemas!.HealthCheck as { properties: Record<string, unknown> };
    expect(JSON.stringify(healthCheck.properties.command)).toContain('"required":["value"]');
    expect(JSON.stringify(app.properties.secrets)).toContain('"required":["source"]');
    const refs = [...JSON.stringify(document).matchAll(/"\$ref":"#\/components\/schemas\/([^"]*)"/g)].map((m) => m[1]);
    const unresolved = [...new Set(refs)].filter((name) => !(name! in document.components!.schemas!));
    expect(unresolved).toEqual([]);
  });

  it('keeps the open routes open', () => {
    const open = operations.filter(([, , operation]) => operation.security?.length === 0).map(([m, p]) => `${m} ${p}`);
    expect(open.sort()).toEqual(['GET /ping', 'GET /v1/health/live', 'GET /v1/health/ready']);
  });

  it('describes bearer and basic credentials without requiring them (auth may be off)', () => {
    expect(Object.keys(document.components!.securitySchemes!).sort()).toEqual(['basic', 'bearer']);
    expect(document.security).toEqual([{}, { bearer: [] }, { basic: [] }]);
  });
});
