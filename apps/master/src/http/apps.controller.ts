import { actorOf } from '../auth/principal';
import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Patch,
  Post,
  Put,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { CommandRejected } from '@cairn/domain';
import type { AppDefinition, CairnEvent } from '@cairn/events';
import type { TaskRecord } from '@cairn/domain';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  CreateAppCommand,
  DeleteAppCommand,
  RestartAppCommand,
  UpdateAppCommand,
  UpdateAppsCommand,
} from '../commands';
import { MasterRuntime } from '../core/master-runtime';
import type { CommandOutcome } from '../core/sequencer';
import { FULL_SINGLE_APP_EMBED, parseAppEmbed } from './app-embed';
import { appDefinitionView, appInfo } from './app.view';
import { sendJsonListInSlices } from './sliced-json';
import { LabelSelectorSyntaxError, matchesLabels, parseLabelSelectors, type LabelSelector } from './label-selector';
import { taskInfo } from './task.view';
import { ReadViews } from './read-views';
import { MarathonValidationError } from './errors';
import { validateAppDefinition, validatePathId } from './validation';
import { requireJsonBody } from './validation/require-json-body';
import { killFlags, killTasks, killTasksCommand } from './task-kill';
import { deploymentResult, runningDeploymentIdsOf, withDeploymentHeaders } from './write-reply';
import { parseBoolean, requestOrigin } from './request-origin';
import { DryRunner } from '../dry-run/dry-runner';
import { answerDryRun, isDryRun } from './dry-run-reply';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ApiErrors,
  ApiJson,
  ApiJsonBody,
  ApiQueryParam,
  ApiRoutes,
  ApiWriteFlags,
  APP_ID_PARAMETER,
  doc,
  WRITE_HEADERS,
  WRITE_QUERY_PARAMETERS,
  WRITE_RESULT,
} from './openapi/decorators';
import { firstValue, QueryValue } from './query-value';

/** Top-level app fields a write ignored (Marathon ignores them silently; the CLI warns). */
export const IGNORED_FIELDS_HEADER = 'X-Cairn-Ignored-Fields';

/** `DELETE .../tasks` flags (task-kill.ts). */
export const KILL_PARAMETERS = [
  doc.query('scale', 'Shrink the app by the killed tasks (a deployment)', { type: 'boolean' }),
  doc.query('wipe', 'A plain kill here (no resident tasks); not with `scale`', { type: 'boolean' }),
  doc.query('force', 'Override a deployment lock (with `scale`)', { type: 'boolean' }),
  doc.query('dryRun', 'Decide, write nothing', { type: 'boolean' }),
];
export const TASKS_ANSWER = {
  type: 'object',
  properties: { tasks: { type: 'array', items: { $ref: '#/components/schemas/Task' } } },
  required: ['tasks'],
};
const TASK_ANSWER = { type: 'object', properties: { task: { $ref: '#/components/schemas/Task' } }, required: ['task'] };

/** Marathon's /v2/apps. App ids are paths (`/prod/web`), so routes take the rest of the URL. */
@ApiTags('marathon')
@Controller('v2/apps')
export class AppsController {
  constructor(
    private readonly runtime: MasterRuntime,
    private readonly commands: CommandBus,
    private readonly dryRunner: DryRunner,
    private readonly views: ReadViews,
  ) {}

  /**
   * GET /v2/apps: `id` and `cmd` are case-insensitive substrings, `label` a Marathon label
   * selector (a malformed one is a 400), `embed` as in Marathon (counts and deployments always).
   */
  @ApiOperation({ summary: 'List apps (counts and deployments always embedded)' })
  @ApiQueryParam('id', 'Apps whose id contains this (case-insensitive)')
  @ApiQueryParam('cmd', 'Apps whose cmd contains this (case-insensitive)')
  @ApiQueryParam(
    'label',
    "Marathon's label selector: `key`, `key==v`, `key!=v`, `key in (a,b)`, `key notin (a,b)`, comma = AND",
  )
  @ApiQueryParam(
    'embed',
    '`apps.tasks`, `apps.counts`, `apps.deployments`, `apps.lastTaskFailure`, `apps.failures`, `apps.readiness`, `apps.taskStats` (repeatable)',
  )
  @ApiJson(
    200,
    {
      type: 'object',
      properties: { apps: { type: 'array', items: { $ref: '#/components/schemas/App' } } },
      required: ['apps'],
    },
    'The apps',
  )
  @ApiErrors(400)
  @Get()
  async list(
    @Res() reply: FastifyReply,
    @QueryValue('id') idFilter?: string,
    @QueryValue('cmd') cmdFilter?: string,
    @Query('label') label?: string | string[],
    @Query('embed') embed?: string | string[],
  ): Promise<void> {
    this.runtime.assertReadable();
    const selectors = labelSelectorsOf(label);
    const apps = this.views
      .appsInOrder()
      .filter((app) => !idFilter || app.id.toLowerCase().includes(idFilter.toLowerCase()))
      .filter((app) => !cmdFilter || (app.cmd ?? '').toLowerCase().includes(cmdFilter.toLowerCase()))
      .filter((app) => matchesLabels(selectors, app.labels ?? {}));
    const embedded = parseAppEmbed(embed, 'list');
    const nowMs = this.runtime.clock.now();
    // Each app as its turn comes, from the state then (a read, not a transaction), its definition
    // and tasks from JSON serialised once per record (read-views.ts).
    await sendJsonListInSlices(reply, 'apps', apps, (app) => this.views.appJson(app, embedded, nowMs));
  }

  @ApiRoutes({
    '/v2/apps/{appId}': {
      summary: 'One app, with counts, tasks, last task failure and deployments',
      parameters: [
        APP_ID_PARAMETER,
        doc.query('embed', 'More to embed (`app.readiness`, `app.taskStats`, ...; repeatable)'),
      ],
      responses: {
        200: doc.json(
          { type: 'object', properties: { app: { $ref: '#/components/schemas/App' } }, required: ['app'] },
          'The app',
        ),
        400: doc.error(400, 'Malformed percent-encoding in the URL'),
        404: doc.error(404),
        422: doc.error(422, 'Not a valid app id'),
      },
    },
    '/v2/apps/{appId}/tasks': {
      summary: "The app's tasks",
      parameters: [APP_ID_PARAMETER],
      responses: {
        200: doc.json(
          {
            type: 'object',
            properties: { tasks: { type: 'array', items: { $ref: '#/components/schemas/Task' } } },
            required: ['tasks'],
          },
          'The tasks',
        ),
        400: doc.error(400, 'Malformed percent-encoding in the URL'),
        404: doc.error(404),
        422: doc.error(422, 'Not a valid app id'),
      },
    },
    '/v2/apps/{appId}/versions': {
      summary: "The app's stored versions (the last 50)",
      parameters: [APP_ID_PARAMETER],
      responses: {
        200: doc.json(
          {
            type: 'object',
            properties: { versions: { type: 'array', items: { type: 'string' } } },
            required: ['versions'],
          },
          'The versions, newest first',
        ),
        400: doc.error(400, 'Malformed percent-encoding in the URL'),
        404: doc.error(404),
        422: doc.error(422, 'Not a valid app id'),
      },
    },
    '/v2/apps/{appId}/versions/{version}': {
      summary: 'The app definition at one stored version',
      parameters: [APP_ID_PARAMETER, doc.path('version', 'A version the app had (its `version` then)')],
      responses: {
        200: doc.json('AppView', 'The definition'),
        400: doc.error(400, 'Malformed percent-encoding in the URL'),
        404: doc.error(404),
        422: doc.error(422, 'Not a valid app id'),
      },
    },
  })
  @Get('*')
  async show(@Req() request: FastifyRequest, @Query('embed') embed?: string | string[]) {
    this.runtime.assertReadable();
    const state = this.views.state();
    const raw = wildcard(request);
    // `tasks` and `versions` are reserved last segments of app ids, so these paths are unambiguous.
    const tasksOf = raw.match(/^(.*)\/tasks\/?$/);
    const versionsOf = raw.match(/^(.*)\/versions(?:\/([^/]+))?\/?$/);
    const appId = this.toAppId(tasksOf ? tasksOf[1] : versionsOf ? versionsOf[1] : raw);
    const app = state.apps.get(appId);
    if (!app) throw new CommandRejected('not-found', `App '${appId}' does not exist`);
    if (tasksOf) return { tasks: this.views.tasksOf(appId).map((task) => taskInfo(task, state)) };
    if (versionsOf && !versionsOf[2]) return { versions: this.runtime.projection.appVersions.versions(appId) };
    if (versionsOf) return appDefinitionView(await this.storedVersion(appId, versionsOf[2]));
    return { app: this.views.appInfo(app, parseAppEmbed(embed, 'single'), { nowMs: this.runtime.clock.now() }) };
  }

  @ApiOperation({ summary: 'Create an app (a deployment)' })
  @ApiJsonBody(
    {
      allOf: [{ $ref: '#/components/schemas/AppDefinition' }, { required: ['id'] }],
      example: { id: '/prod/web', cmd: 'python3 -m http.server $PORT0', cpus: 0.1, mem: 64, instances: 2 },
    },
    'The app definition',
  )
  @ApiWriteFlags()
  @ApiJson(200, 'DryRun', 'Decided, not written (`?dryRun=true`)')
  @ApiJson(201, 'App', 'Created: the app, `Location` and `Marathon-Deployment-Id`', {
    ...WRITE_HEADERS,
    Location: { description: 'The new app', schema: { type: 'string' } },
  })
  @ApiErrors(403, 409, 422)
  @Post()
  async create(
    @Body() body: unknown,
    @QueryValue('force') force: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const checked = validateAppDefinition(requireJsonBody(body), { mode: 'create' });
    if (!checked.ok) throw new MarathonValidationError(checked.message, checked.details);
    withIgnoredFields(reply, checked.ignoredFields);
    const command = new CreateAppCommand(
      { kind: 'CreateApp', app: checked.app, force: parseBoolean(force, false) },
      actorOf(request),
      requestOrigin(request),
    );
    if (isDryRun(request)) return answerDryRun(reply, this.dryRunner.plan(command));
    const outcome = await this.commands.execute(command);
    const created = appOf(outcome.events);
    withDeploymentHeaders(reply, outcome).status(201).header('Location', `/v2/apps${created.id}`);
    return appInfo(created, this.runtime.projection.state, FULL_SINGLE_APP_EMBED, {
      tasks: [],
      deploymentIds: runningDeploymentIdsOf(outcome),
    });
  }

  /** POST /v2/apps/{id}/restart: a rolling restart (the only POST under an app). */
  @ApiRoutes({
    '/v2/apps/{appId}/restart': {
      summary: 'Rolling restart with the same definition (a deployment)',
      parameters: [APP_ID_PARAMETER, ...WRITE_QUERY_PARAMETERS],
      responses: {
        200: doc.json(WRITE_RESULT, 'The deployment (or the dry run)', WRITE_HEADERS),
        400: doc.error(400),
        403: doc.error(403),
        404: doc.error(404),
        409: doc.error(409),
        422: doc.error(422, 'Not a valid app id'),
      },
    },
  })
  @Post('*')
  @HttpCode(200)
  async restart(
    @Req() request: FastifyRequest,
    @QueryValue('force') force: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const restartOf = wildcard(request).match(/^(.*)\/restart\/?$/);
    if (!restartOf) throw new CommandRejected('not-found', `Unknown path '${request.url}'`);
    const appId = this.toAppId(restartOf[1]);
    const command = new RestartAppCommand(
      { kind: 'RestartApp', appId, force: parseBoolean(force, false) },
      actorOf(request),
      requestOrigin(request),
    );
    if (isDryRun(request)) return answerDryRun(reply, this.dryRunner.plan(command));
    const outcome = await this.commands.execute(command);
    withDeploymentHeaders(reply, outcome);
    return deploymentResult(outcome, this.runtime.projection.state.apps.get(appId)?.version ?? null);
  }

  @ApiRoutes({
    '/v2/apps/{appId}': {
      summary: 'Update an app (partial by default), create it if missing, or roll back with `{"version": V}`',
      parameters: [
        APP_ID_PARAMETER,
        doc.query('partialUpdate', 'false: replace the definition (default true)', { type: 'boolean' }),
        ...WRITE_QUERY_PARAMETERS,
      ],
      requestBody: {
        required: true,
        content: { 'application/json': { schema: { $ref: '#/components/schemas/AppDefinition' } } },
      },
      responses: {
        200: doc.json(WRITE_RESULT, 'The deployment (or the dry run)', WRITE_HEADERS),
        201: doc.json('App', 'Created', { ...WRITE_HEADERS, Location: { schema: { type: 'string' } } }),
        400: doc.error(400),
        403: doc.error(403),
        404: doc.error(404, 'No such version to roll back to'),
        409: doc.error(409),
        422: doc.error(422),
      },
    },
  })
  @Put('*')
  async update(
    @Req() request: FastifyRequest,
    @Body() body: unknown,
    @QueryValue('partialUpdate') partialUpdate: string | undefined,
    @QueryValue('force') force: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const appId = this.pathAppId(request);
    const partial = parseBoolean(partialUpdate, true);
    const checked = validateAppDefinition(requireJsonBody(body), { mode: 'update', pathId: appId, partial });
    if (!checked.ok) throw new MarathonValidationError(checked.message, checked.details);
    withIgnoredFields(reply, checked.ignoredFields);
    let input = checked.app;
    let asPartial = partial;
    if (checked.rollbackTo !== undefined) {
      // Marathon's rollback: the stored version's definition, as a full update (a new version).
      input = { ...(await this.storedVersion(appId, checked.rollbackTo)), id: appId };
      asPartial = false;
    } else {
      this.validateMergedPatch(appId, checked.app, partial);
    }
    const command = new UpdateAppCommand(
      { kind: 'UpdateApp', appId, body: input, partial: asPartial, force: parseBoolean(force, false) },
      actorOf(request),
      requestOrigin(request),
    );
    if (isDryRun(request)) return answerDryRun(reply, this.dryRunner.plan(command));
    const outcome = await this.commands.execute(command);
    withDeploymentHeaders(reply, outcome);
    // The reply is built from this command's own events: a later write may already be applied.
    const created = outcome.events.find((e) => e.type === 'AppCreated');
    if (created?.type === 'AppCreated') {
      reply.status(201).header('Location', `/v2/apps${appId}`);
      return appInfo(created.data.app, this.runtime.projection.state, FULL_SINGLE_APP_EMBED, {
        tasks: [],
        deploymentIds: runningDeploymentIdsOf(outcome),
      });
    }
    return deploymentResult(outcome, this.versionAfter(outcome, appId));
  }

  /** PATCH /v2/apps/{id}: Marathon's partial update of an app that must exist; the body's id is ignored. */
  @ApiRoutes({
    '/v2/apps/{appId}': {
      summary: "Partial update of an existing app (the body's id is ignored)",
      parameters: [APP_ID_PARAMETER, ...WRITE_QUERY_PARAMETERS],
      requestBody: {
        required: true,
        content: { 'application/json': { schema: { $ref: '#/components/schemas/AppDefinition' } } },
      },
      responses: {
        200: doc.json(WRITE_RESULT, 'The deployment (or the dry run)', WRITE_HEADERS),
        400: doc.error(400),
        403: doc.error(403),
        404: doc.error(404),
        409: doc.error(409),
        422: doc.error(422),
      },
    },
  })
  @Patch('*')
  async patch(
    @Req() request: FastifyRequest,
    @Body() body: unknown,
    @QueryValue('force') force: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const appId = this.pathAppId(request);
    const patch = withoutId(requireJsonBody(body));
    const checked = validateAppDefinition(patch, { mode: 'update', pathId: appId, partial: true });
    if (!checked.ok) throw new MarathonValidationError(checked.message, checked.details);
    if (checked.rollbackTo !== undefined) {
      throw new MarathonValidationError('Object is not valid', [
        { path: '/version', errors: ['a PATCH cannot roll back: use PUT with {"version": ...}'] },
      ]);
    }
    withIgnoredFields(reply, checked.ignoredFields);
    this.validateMergedPatch(appId, checked.app, true);
    const command = new UpdateAppCommand(
      {
        kind: 'UpdateApp',
        appId,
        body: checked.app,
        partial: true,
        mustExist: true,
        force: parseBoolean(force, false),
      },
      actorOf(request),
      requestOrigin(request),
    );
    if (isDryRun(request)) return answerDryRun(reply, this.dryRunner.plan(command));
    const outcome = await this.commands.execute(command);
    withDeploymentHeaders(reply, outcome);
    return deploymentResult(outcome, this.versionAfter(outcome, appId));
  }

  /** PUT /v2/apps: create or update many apps (partial by default) in one deployment. */
  @ApiOperation({ summary: 'Create or update many apps (partial by default) in one deployment' })
  @ApiJsonBody(
    { type: 'array', items: { allOf: [{ $ref: '#/components/schemas/AppDefinition' }, { required: ['id'] }] } },
    'The apps',
  )
  @ApiQueryParam('partialUpdate', 'false: replace each definition (default true)', { type: 'boolean' })
  @ApiWriteFlags()
  @ApiJson(200, WRITE_RESULT, 'The deployment (or the dry run)', WRITE_HEADERS)
  @ApiErrors(403, 409, 422)
  @Put()
  async updateMany(
    @Req() request: FastifyRequest,
    @Body() body: unknown,
    @QueryValue('partialUpdate') partialUpdate: string | undefined,
    @QueryValue('force') force: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.bulk(request, body, parseBoolean(partialUpdate, true), false, force, reply);
  }

  /** PATCH /v2/apps: patch many apps that must all exist, in one deployment. */
  @ApiOperation({ summary: 'Patch many existing apps in one deployment (404 and nothing written if one is missing)' })
  @ApiJsonBody(
    { type: 'array', items: { allOf: [{ $ref: '#/components/schemas/AppDefinition' }, { required: ['id'] }] } },
    'The patches',
  )
  @ApiWriteFlags()
  @ApiJson(200, WRITE_RESULT, 'The deployment (or the dry run)', WRITE_HEADERS)
  @ApiErrors(403, 404, 409, 422)
  @Patch()
  async patchMany(
    @Req() request: FastifyRequest,
    @Body() body: unknown,
    @QueryValue('force') force: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.bulk(request, body, true, true, force, reply);
  }

  private async bulk(
    request: FastifyRequest,
    body: unknown,
    partial: boolean,
    mustExist: boolean,
    force: string | undefined,
    reply: FastifyReply,
  ) {
    const items = requireJsonBody(body);
    if (!Array.isArray(items)) {
      throw new MarathonValidationError('Invalid JSON', [{ path: '/', errors: ['error.expected.jsarray'] }]);
    }
    const apps: { appId: string; body: Record<string, unknown> }[] = [];
    const ignored = new Set<string>();
    items.forEach((item: unknown, index) => {
      const id = (item as { id?: unknown } | null)?.id;
      if (typeof id !== 'string') {
        throw new MarathonValidationError('Object is not valid', [
          { path: `/(${index})/id`, errors: ['an app in a bulk update needs its id'] },
        ]);
      }
      const checked = validateAppDefinition(item, { mode: 'update', pathId: id, partial });
      if (!checked.ok) {
        throw new MarathonValidationError(
          checked.message,
          checked.details.map((d) => ({ ...d, path: `/(${index})${d.path === '/' ? '' : d.path}` })),
        );
      }
      if (checked.rollbackTo !== undefined) {
        throw new MarathonValidationError('Object is not valid', [
          { path: `/(${index})/version`, errors: ['a bulk update cannot roll back: use PUT /v2/apps/{id}'] },
        ]);
      }
      checked.ignoredFields.forEach((field) => ignored.add(field));
      this.validateMergedPatch(checked.app.id as string, checked.app, partial);
      apps.push({ appId: checked.app.id as string, body: checked.app });
    });
    withIgnoredFields(reply, [...ignored]);
    const command = new UpdateAppsCommand(
      { kind: 'UpdateApps', apps, partial, mustExist, force: parseBoolean(force, false) },
      actorOf(request),
      requestOrigin(request),
    );
    if (isDryRun(request)) return answerDryRun(reply, this.dryRunner.plan(command));
    const outcome = await this.commands.execute(command);
    withDeploymentHeaders(reply, outcome);
    return deploymentResult(outcome, outcome.events.find((e) => e.type === 'DeploymentStarted')?.at ?? null);
  }

  /** The app's version after this command's own events (a later write may already be applied). */
  private versionAfter(outcome: CommandOutcome, appId: string): string | null {
    const changed = outcome.events.find(
      (e) => (e.type === 'AppUpdated' && e.data.app.id === appId) || (e.type === 'AppScaled' && e.data.appId === appId),
    );
    if (changed?.type === 'AppUpdated') return changed.data.app.version;
    if (changed?.type === 'AppScaled') return changed.data.lastScalingAt;
    return this.runtime.projection.state.apps.get(appId)?.version ?? null;
  }

  @ApiRoutes({
    '/v2/apps/{appId}': {
      summary: 'Delete an app (forced by default, as in Marathon)',
      parameters: [
        APP_ID_PARAMETER,
        doc.query('force', 'Override a deployment lock (default true)', { type: 'boolean' }),
        doc.query('dryRun', 'Decide, write nothing', { type: 'boolean' }),
      ],
      responses: {
        200: doc.json(WRITE_RESULT, 'The deployment (or the dry run)', WRITE_HEADERS),
        400: doc.error(400),
        403: doc.error(403),
        404: doc.error(404),
        409: doc.error(409),
        422: doc.error(422, 'Not a valid app id'),
      },
    },
    '/v2/apps/{appId}/tasks': {
      summary: "Kill the app's tasks (all, or those on `host`); `scale=true` shrinks the app by as many",
      parameters: [APP_ID_PARAMETER, ...KILL_PARAMETERS, doc.query('host', 'Only the tasks on this host (`*`: all)')],
      responses: {
        200: doc.json(
          {
            oneOf: [
              TASKS_ANSWER,
              { $ref: '#/components/schemas/DeploymentResult' },
              { $ref: '#/components/schemas/DryRun' },
            ],
          },
          'The killed tasks, or with `scale` the deployment',
          WRITE_HEADERS,
        ),
        400: doc.error(400, '`scale` and `wipe` together, or a malformed flag'),
        403: doc.error(403),
        404: doc.error(404),
        409: doc.error(409),
        422: doc.error(422, 'Not a valid app id'),
      },
    },
    '/v2/apps/{appId}/tasks/{taskId}': {
      summary: 'Kill one task of the app (it is replaced), or with `scale=true` shrink the app',
      parameters: [APP_ID_PARAMETER, doc.path('taskId', 'The task'), ...KILL_PARAMETERS],
      responses: {
        200: doc.json(
          {
            oneOf: [
              TASK_ANSWER,
              { $ref: '#/components/schemas/DeploymentResult' },
              { $ref: '#/components/schemas/DryRun' },
            ],
          },
          'The killed task, or with `scale` the deployment',
          WRITE_HEADERS,
        ),
        400: doc.error(400, '`scale` and `wipe` together, or a malformed flag'),
        403: doc.error(403),
        404: doc.error(404, 'No such app, or no such task of it'),
        409: doc.error(409),
        422: doc.error(422, 'Not a valid app id'),
      },
    },
  })
  @Delete('*')
  async remove(
    @Req() request: FastifyRequest,
    @QueryValue('force') force: string | undefined,
    @Query() query: Record<string, string | string[] | undefined>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    // `tasks` is a reserved last segment of app ids: DELETE /v2/apps/{id}/tasks[/{taskId}] kills tasks.
    const tasksOf = wildcard(request).match(/^(.*)\/tasks(?:\/([^/]+))?\/?$/);
    if (tasksOf) return this.killTasks(request, this.toAppId(tasksOf[1]!), tasksOf[2], query, reply);
    const appId = this.pathAppId(request);
    // Marathon's DELETE /v2/apps/{id} defaults to force=true: a stuck deployment must not block it.
    const command = new DeleteAppCommand(
      { kind: 'DeleteApp', appId, force: parseBoolean(force, true) },
      actorOf(request),
      requestOrigin(request),
    );
    if (isDryRun(request)) return answerDryRun(reply, this.dryRunner.plan(command));
    const outcome = await this.commands.execute(command);
    withDeploymentHeaders(reply, outcome);
    const last = outcome.events[outcome.events.length - 1];
    return deploymentResult(outcome, last?.at ?? null);
  }

  /**
   * Marathon's AppTasksResource: one task (`{task}`), or every task of the app, or those on `host`
   * (`*` = all) (`{tasks}`); with `scale`, the app shrinks by as many (a deploymentResult).
   */
  private async killTasks(
    request: FastifyRequest,
    appId: string,
    taskId: string | undefined,
    query: Record<string, string | string[] | undefined>,
    reply: FastifyReply,
  ) {
    const { scale, force } = killFlags(query);
    const state = this.runtime.projection.state;
    if (!state.apps.has(appId)) throw new CommandRejected('not-found', `App '${appId}' does not exist`);
    let victims: TaskRecord[];
    if (taskId !== undefined) {
      const task = state.tasks.get(taskId);
      if (!task || task.appId !== appId) throw new CommandRejected('not-found', `Task '${taskId}' does not exist`);
      victims = [task];
    } else {
      const host = firstValue(query.host);
      victims = this.views.tasksOf(appId).filter((t) => !host || host === '*' || t.host === host);
    }
    const kill = killTasksCommand(request, victims, { scale, force });
    if (isDryRun(request)) return answerDryRun(reply, this.dryRunner.plan(kill));
    const outcome = await killTasks(this.commands, reply, kill);
    if (scale) return deploymentResult(outcome, this.versionAfter(outcome, appId));
    // The tasks as they were when the kill was decided (Marathon answers with the killed tasks).
    const view = (task: TaskRecord) => taskInfo(task, state);
    return taskId !== undefined ? { task: view(victims[0]!) } : { tasks: victims.map(view) };
  }

  private async storedVersion(appId: string, version: string): Promise<AppDefinition> {
    const app = await this.runtime.projection.appVersions.definitionAt(this.runtime.log, appId, version);
    if (!app) throw new CommandRejected('not-found', `App '${appId}' does not exist in version ${version}`);
    return app;
  }

  /**
   * A partial update is validated field by field above; rules that need the whole app (cmd vs
   * args, health check ports, ...) are checked on the patch merged onto the current app.
   */
  private validateMergedPatch(appId: string, patch: Record<string, unknown>, partial: boolean): void {
    const current = partial ? this.runtime.projection.state.apps.get(appId) : undefined;
    if (!current) return;
    const { version: _v, versionInfo: _vi, ...stored } = current;
    const merged: Record<string, unknown> = { ...stored, ...patch };
    if (patch.ports !== undefined) delete merged.portDefinitions;
    const whole = validateAppDefinition(merged, { mode: 'update', pathId: appId, partial: false });
    if (!whole.ok) throw new MarathonValidationError(whole.message, whole.details);
  }

  /** `/v2/apps/prod/web` and `/v2/apps//prod/web/` both name `/prod/web`. */
  private pathAppId(request: FastifyRequest): string {
    return this.toAppId(wildcard(request));
  }

  private toAppId(raw: string): string {
    const checked = validatePathId(raw);
    if (!checked.ok) throw new MarathonValidationError(checked.message, checked.details);
    return checked.id;
  }
}

/**
 * A malformed `label=` is Marathon's 400 `{message}` (its parser's failure), not a 500. A repeated
 * `label` adds its selectors (all must hold, as within one).
 */
function labelSelectorsOf(label: string | string[] | undefined): LabelSelector[] {
  try {
    return [label ?? []].flat().flatMap((one) => parseLabelSelectors(one));
  } catch (error) {
    if (error instanceof LabelSelectorSyntaxError) throw new BadRequestException(error.message);
    throw error;
  }
}

/** A PATCH names its app in the path only (Marathon ignores the body's id). */
function withoutId(body: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const { id: _id, ...rest } = body as Record<string, unknown>;
  return rest;
}

/**
 * The names are percent-encoded (`encodeURIComponent`): a header holds visible ASCII only, and a
 * field name may hold anything (a raw one made Node refuse the header, a 500 after the write).
 */
export function withIgnoredFields(reply: FastifyReply, fields: readonly string[]): void {
  if (fields.length > 0) reply.header(IGNORED_FIELDS_HEADER, fields.map(encodeURIComponent).join(','));
}

function wildcard(request: FastifyRequest): string {
  return decodeURIComponent((request.params as Record<string, string>)['*'] ?? '');
}

function appOf(events: readonly CairnEvent[]): AppDefinition {
  const created = events.find((e) => e.type === 'AppCreated');
  if (created?.type !== 'AppCreated') throw new Error('CreateApp produced no AppCreated event');
  return created.data.app;
}
