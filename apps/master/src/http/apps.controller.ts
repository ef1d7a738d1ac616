import { Body, Controller, Delete, Get, Post, Put, Query, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { CommandRejected } from '@cairn/domain';
import type { AppDefinition, CairnEvent } from '@cairn/events';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CreateAppCommand, DeleteAppCommand, UpdateAppCommand } from '../commands';
import { MasterRuntime } from '../core/master-runtime';
import { appInfo, appInfos } from './app.view';
import { taskInfo, tasksByApp } from './task.view';
import { MarathonValidationError } from './errors';
import { validateAppDefinition, validatePathId } from './validation';
import { withOffset } from './write-reply';

/** No authentication yet: every request acts as `anonymous` (recorded as the events' actor). */
const ANONYMOUS = 'anonymous';

/** Marathon's /v2/apps. App ids are paths (`/prod/web`), so routes take the rest of the URL. */
@Controller('v2/apps')
export class AppsController {
  constructor(
    private readonly runtime: MasterRuntime,
    private readonly commands: CommandBus,
  ) {}

  @Get()
  list(@Query('id') idFilter?: string, @Query('cmd') cmdFilter?: string) {
    this.runtime.assertReadable();
    const apps = [...this.runtime.projection.state.apps.values()]
      .filter((app) => !idFilter || app.id.toLowerCase().includes(idFilter.toLowerCase()))
      .filter((app) => !cmdFilter || (app.cmd ?? '').toLowerCase().includes(cmdFilter.toLowerCase()))
      .sort((a, b) => a.id.localeCompare(b.id));
    return { apps: appInfos(apps, this.runtime.projection.state) };
  }

  @Get('*')
  show(@Req() request: FastifyRequest) {
    this.runtime.assertReadable();
    const state = this.runtime.projection.state;
    const raw = wildcard(request);
    // `tasks` is a reserved last segment of app ids, so `/v2/apps/prod/web/tasks` is unambiguous.
    const tasksOf = raw.match(/^(.*)\/tasks\/?$/);
    const appId = this.toAppId(tasksOf ? tasksOf[1] : raw);
    const app = state.apps.get(appId);
    if (!app) throw new CommandRejected('not-found', `App '${appId}' does not exist`);
    if (tasksOf) return { tasks: (tasksByApp(state).get(appId) ?? []).map(taskInfo) };
    return { app: appInfo(app, state) };
  }

  @Post()
  async create(@Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const checked = validateAppDefinition(body, { mode: 'create' });
    if (!checked.ok) throw new MarathonValidationError(checked.message, checked.details);
    const outcome = await this.commands.execute(new CreateAppCommand(checked.app, ANONYMOUS));
    const created = appOf(outcome.events);
    withOffset(reply, outcome).status(201).header('Location', `/v2/apps${created.id}`);
    return appInfo(created, this.runtime.projection.state, []);
  }

  @Put('*')
  async update(
    @Req() request: FastifyRequest,
    @Body() body: unknown,
    @Query('partialUpdate') partialUpdate: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const appId = this.pathAppId(request);
    const partial = parseBoolean(partialUpdate, true);
    const checked = validateAppDefinition(body, { mode: 'update', pathId: appId, partial });
    if (!checked.ok) throw new MarathonValidationError(checked.message, checked.details);
    this.validateMergedPatch(appId, checked.app, partial);
    const outcome = await this.commands.execute(new UpdateAppCommand(appId, checked.app, partial, ANONYMOUS));
    withOffset(reply, outcome);
    // The reply is built from this command's own events: a later write may already be applied.
    const [event] = outcome.events;
    if (event?.type === 'AppCreated') {
      reply.status(201).header('Location', `/v2/apps${appId}`);
      return appInfo(event.data.app, this.runtime.projection.state, []);
    }
    const version =
      event?.type === 'AppUpdated'
        ? event.data.app.version
        : event?.type === 'AppScaled'
          ? event.data.lastScalingAt
          : (this.runtime.projection.state.apps.get(appId)?.version ?? null);
    return { deploymentId: event?.causationId ?? null, version };
  }

  @Delete('*')
  async remove(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const appId = this.pathAppId(request);
    const outcome = await this.commands.execute(new DeleteAppCommand(appId, ANONYMOUS));
    withOffset(reply, outcome);
    const last = outcome.events[outcome.events.length - 1];
    return { deploymentId: last?.causationId ?? null, version: last?.at ?? null };
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

function wildcard(request: FastifyRequest): string {
  return decodeURIComponent((request.params as Record<string, string>)['*'] ?? '');
}

function appOf(events: readonly CairnEvent[]): AppDefinition {
  const created = events.find((e) => e.type === 'AppCreated');
  if (created?.type !== 'AppCreated') throw new Error('CreateApp produced no AppCreated event');
  return created.data.app;
}

/** JAX-RS parses booleans case-insensitively, so Python clients' `True` works too. */
function parseBoolean(raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw === '') return fallback;
  return raw.toLowerCase() === 'true';
}
