import { Body, Controller, Delete, Get, Patch, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ParameterObject, ResponseObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { CommandBus } from '@nestjs/cqrs';
import { CommandRejected, ROOT_GROUP, type GroupSpecInput } from '@cairn/domain';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { actorOf } from '../auth/principal';
import { ChangeGroupCommand, DeleteGroupCommand, ScaleGroupCommand } from '../commands';
import { MasterRuntime } from '../core/master-runtime';
import type { CommandOutcome } from '../core/sequencer';
import { DryRunner } from '../dry-run/dry-runner';
import { History } from '../replay/history';
import { answerDryRun, isDryRun } from './dry-run-reply';
import { MarathonValidationError } from './errors';
import { GroupTree, parseGroupEmbed } from './group.view';
import { parseBoolean, requestOrigin } from './request-origin';
import { validatePathId } from './validation';
import { pathSegments } from './validation/app-id';
import { requireJsonBody } from './validation/require-json-body';
import { validateGroupUpdate } from './validation/validate-group';
import { deploymentResult, withDeploymentHeaders } from './write-reply';
import { QueryValue } from './query-value';
import {
  APP_ID_PARAMETER,
  ApiErrors,
  ApiJson,
  ApiJsonBody,
  ApiQueryParam,
  ApiRoutes,
  ApiWriteFlags,
  doc,
  WRITE_HEADERS,
  WRITE_QUERY_PARAMETERS,
  WRITE_RESULT,
} from './openapi/decorators';

type GroupWriteMode = 'create' | 'update' | 'patch';

/** A group id in a path: it takes the rest of the URL, as an app id does. */
const GROUP_ID_PARAMETER: ParameterObject = {
  ...APP_ID_PARAMETER,
  name: 'groupId',
  description: 'The group id (its slashes raw, `/v2/groups//prod`, or percent-encoded)',
  example: '/prod',
};
const EMBED =
  'What to embed (repeatable): `group.groups`, `group.apps`, `group.apps.tasks`, `.counts`, … (default: groups and apps)';
const URL_ERRORS = {
  400: doc.error(400, 'Malformed percent-encoding in the URL'),
  422: doc.error(422, 'Not a valid group id'),
};
const GROUP_UPDATE_BODY = {
  required: true,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/GroupUpdate' } } },
};
const WRITTEN: ResponseObject = doc.json(
  WRITE_RESULT,
  'The deployment and the version (or the dry run)',
  WRITE_HEADERS,
);
const WRITE_ERRORS = {
  400: doc.error(400),
  403: doc.error(403),
  409: doc.error(409),
  422: doc.error(422),
};

/**
 * Marathon's /v2/groups: the tree of apps by path. Groups an app's path passes through exist
 * implicitly; group commands name groups, give them dependencies (which order every deployment
 * of their apps) and change a whole subtree in one deployment. Group ids are paths, so routes take
 * the rest of the URL; `versions` is a reserved last segment, as for apps.
 */
@ApiTags('marathon')
@Controller('v2/groups')
export class GroupsController {
  private readonly history: History;

  constructor(
    private readonly runtime: MasterRuntime,
    private readonly commands: CommandBus,
    private readonly dryRunner: DryRunner,
  ) {
    this.history = new History(runtime.log, runtime.snapshots, { paced: true });
  }

  @ApiOperation({ summary: 'The root group: the whole tree of apps by path' })
  @ApiQueryParam('embed', EMBED)
  @ApiJson(200, 'Group', 'The root group')
  @Get()
  root(@Query('embed') embed?: string | string[]) {
    return this.read('', embed);
  }

  @ApiRoutes({
    '/v2/groups/{groupId}': {
      summary: 'One group with its subgroups and apps (as embedded)',
      parameters: [GROUP_ID_PARAMETER, doc.query('embed', EMBED)],
      responses: { 200: doc.json('Group', 'The group'), 404: doc.error(404), ...URL_ERRORS },
    },
    '/v2/groups/{groupId}/versions': {
      summary: "The versions of the group's changes, newest first",
      parameters: [GROUP_ID_PARAMETER],
      responses: {
        200: doc.json({ type: 'array', items: { type: 'string' } }, 'The versions'),
        404: doc.error(404),
        ...URL_ERRORS,
      },
    },
    '/v2/groups/{groupId}/versions/{version}': {
      summary: 'The group as it was at one of its versions (rebuilt from the log)',
      parameters: [
        GROUP_ID_PARAMETER,
        doc.path('version', 'A version from its versions list'),
        doc.query('embed', EMBED),
      ],
      responses: { 200: doc.json('Group', 'The group then'), 404: doc.error(404), ...URL_ERRORS },
    },
  })
  @Get('*')
  show(@Req() request: FastifyRequest, @Query('embed') embed?: string | string[]) {
    return this.read(wildcard(request), embed);
  }

  /** POST /v2/groups: a new group, named by the body's id. */
  @ApiOperation({ summary: 'Create a group with its apps and subgroups (one deployment); 409 if it exists' })
  @ApiJsonBody('GroupUpdate', 'The group: its id, apps, subgroups and dependencies')
  @ApiWriteFlags()
  @ApiJson(200, 'DryRun', 'Decided, not written (`?dryRun=true`)')
  @ApiJson(201, 'DeploymentResult', 'Created: `Location`, the deployment and the version', {
    ...WRITE_HEADERS,
    Location: { schema: { type: 'string' } },
  })
  @ApiErrors(403, 409, 422)
  @Post()
  createAtRoot(
    @Req() request: FastifyRequest,
    @Body() body: unknown,
    @QueryValue('force') force: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.write(request, ROOT_GROUP, body, 'create', force, reply);
  }

  /** POST /v2/groups/{id}: a new group within `{id}` (the body's id is relative to it). */
  @ApiRoutes({
    '/v2/groups/{groupId}': {
      summary: 'Create a group within this one (the body id is relative to it)',
      parameters: [GROUP_ID_PARAMETER, ...WRITE_QUERY_PARAMETERS],
      requestBody: GROUP_UPDATE_BODY,
      responses: {
        200: doc.json('DryRun', 'Decided, not written (`?dryRun=true`)'),
        201: doc.json('DeploymentResult', 'Created', { ...WRITE_HEADERS, Location: { schema: { type: 'string' } } }),
        ...WRITE_ERRORS,
      },
    },
  })
  @Post('*')
  create(
    @Req() request: FastifyRequest,
    @Body() body: unknown,
    @QueryValue('force') force: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.write(request, toGroupId(wildcard(request)), body, 'create', force, reply);
  }

  @ApiOperation({ summary: 'Change the root group (lists given replace its own), scale it or revert it' })
  @ApiJsonBody('GroupUpdate', 'The change, `{"scaleBy": F}` or `{"version": V}`')
  @ApiWriteFlags()
  @ApiJson(200, WRITE_RESULT, 'The deployment and the version (or the dry run)', WRITE_HEADERS)
  @ApiErrors(403, 404, 409, 422)
  @Put()
  updateRoot(
    @Req() request: FastifyRequest,
    @Body() body: unknown,
    @QueryValue('force') force: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.write(request, ROOT_GROUP, body, 'update', force, reply);
  }

  /**
   * PUT /v2/groups/{id}: create or replace the group, scale it (`scaleBy`) or go back to a
   * `version`. PUT /v2/groups/{id}/versions/{version} (no body) is that revert too: it is what
   * marathon-python's `rollback_group` sends.
   */
  @ApiRoutes({
    '/v2/groups/{groupId}': {
      summary:
        'Create or replace a group (the `apps` and `groups` lists given are the whole lists), scale it or revert it',
      parameters: [GROUP_ID_PARAMETER, ...WRITE_QUERY_PARAMETERS],
      requestBody: GROUP_UPDATE_BODY,
      responses: { 200: WRITTEN, 404: doc.error(404, 'No such group (scaleBy) or version (revert)'), ...WRITE_ERRORS },
    },
    '/v2/groups/{groupId}/versions/{version}': {
      summary: 'Revert the group to one of its versions (what marathon-python rollback_group sends)',
      parameters: [
        GROUP_ID_PARAMETER,
        doc.path('version', 'A version from its versions list'),
        ...WRITE_QUERY_PARAMETERS,
      ],
      responses: { 200: WRITTEN, 404: doc.error(404, 'No such group or version'), ...WRITE_ERRORS },
    },
  })
  @Put('*')
  update(
    @Req() request: FastifyRequest,
    @Body() body: unknown,
    @QueryValue('force') force: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const revertTo = wildcard(request).match(/^(.*?)\/?versions\/([^/]+)\/?$/);
    if (revertTo) return this.write(request, toGroupId(revertTo[1]!), { version: revertTo[2] }, 'update', force, reply);
    return this.write(request, toGroupId(wildcard(request)), body, 'update', force, reply);
  }

  @ApiOperation({ summary: 'Merge a change onto the root group: given apps are patched, nothing is removed' })
  @ApiJsonBody('GroupUpdate', 'The change')
  @ApiWriteFlags()
  @ApiJson(200, WRITE_RESULT, 'The deployment and the version (or the dry run)', WRITE_HEADERS)
  @ApiErrors(403, 409, 422)
  @Patch()
  patchRoot(
    @Req() request: FastifyRequest,
    @Body() body: unknown,
    @QueryValue('force') force: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.write(request, ROOT_GROUP, body, 'patch', force, reply);
  }

  /** PATCH /v2/groups/{id}: given fields and apps are merged onto the group's; nothing is removed. */
  @ApiRoutes({
    '/v2/groups/{groupId}': {
      summary: 'Merge a change onto a group: given apps are patched onto the current ones, nothing is removed',
      parameters: [GROUP_ID_PARAMETER, ...WRITE_QUERY_PARAMETERS],
      requestBody: GROUP_UPDATE_BODY,
      responses: { 200: WRITTEN, 404: doc.error(404, 'No such group (scaleBy)'), ...WRITE_ERRORS },
    },
  })
  @Patch('*')
  patch(
    @Req() request: FastifyRequest,
    @Body() body: unknown,
    @QueryValue('force') force: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.write(request, toGroupId(wildcard(request)), body, 'patch', force, reply);
  }

  /** DELETE /v2/groups: every app and group. */
  @ApiOperation({ summary: 'Delete every app and group (one deployment)' })
  @ApiWriteFlags()
  @ApiJson(200, WRITE_RESULT, 'The deployment (or the dry run)', WRITE_HEADERS)
  @ApiErrors(403, 409)
  @Delete()
  removeAll(
    @Req() request: FastifyRequest,
    @QueryValue('force') force: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.remove(request, ROOT_GROUP, force, reply);
  }

  @ApiRoutes({
    '/v2/groups/{groupId}': {
      summary: 'Delete a group with every app and group in it (one deployment)',
      parameters: [GROUP_ID_PARAMETER, ...WRITE_QUERY_PARAMETERS],
      responses: { 200: WRITTEN, 404: doc.error(404), ...WRITE_ERRORS },
    },
  })
  @Delete('*')
  removeOne(
    @Req() request: FastifyRequest,
    @QueryValue('force') force: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.remove(request, toGroupId(wildcard(request)), force, reply);
  }

  private async read(raw: string, embed: string | string[] | undefined) {
    this.runtime.assertReadable();
    const versionsOf = raw.match(/^(.*?)\/?versions(?:\/([^/]+))?\/?$/);
    const groupId = toGroupId(versionsOf ? versionsOf[1]! : raw);
    const tree = new GroupTree(this.runtime.projection.state);
    if (!tree.has(groupId)) throw new CommandRejected('not-found', `Group '${groupId}' does not exist`);
    const nowMs = this.runtime.clock.now();
    if (versionsOf && versionsOf[2] === undefined) return tree.versionsOf(groupId);
    if (versionsOf) {
      const then = await this.treeAt(groupId, versionsOf[2]!);
      return then.view(groupId, parseGroupEmbed(embed), nowMs);
    }
    return tree.view(groupId, parseGroupEmbed(embed), nowMs);
  }

  private async write(
    request: FastifyRequest,
    base: string,
    body: unknown,
    mode: GroupWriteMode,
    force: string | undefined,
    reply: FastifyReply,
  ) {
    const checked = validateGroupUpdate(requireJsonBody(body), { mode, base });
    if (!checked.ok) throw new MarathonValidationError(checked.message, checked.details);
    const forced = parseBoolean(force, false);
    const origin = requestOrigin(request);
    let command;
    if (checked.kind === 'scale') {
      command = new ScaleGroupCommand(
        { kind: 'ScaleGroup', groupId: base, scaleBy: checked.scaleBy, force: forced },
        actorOf(request),
        origin,
      );
    } else {
      // A revert is the group as it was at that version, applied as a whole (a new version).
      const group = checked.kind === 'revert' ? await this.specAt(base, checked.version) : checked.group;
      command = new ChangeGroupCommand(
        { kind: 'ChangeGroup', group, mode: checked.kind === 'revert' ? 'update' : mode, force: forced },
        actorOf(request),
        origin,
      );
    }
    if (isDryRun(request)) return answerDryRun(reply, this.dryRunner.plan(command));
    const outcome = await this.commands.execute(command);
    withDeploymentHeaders(reply, outcome);
    const groupId = command instanceof ChangeGroupCommand ? command.payload.group.id : base;
    if (mode === 'create') reply.status(201).header('Location', `/v2/groups${groupId === '/' ? '' : groupId}`);
    return deploymentResult(outcome, groupVersionOf(outcome, groupId));
  }

  private async remove(request: FastifyRequest, groupId: string, force: string | undefined, reply: FastifyReply) {
    const command = new DeleteGroupCommand(
      { kind: 'DeleteGroup', groupId, force: parseBoolean(force, false) },
      actorOf(request),
      requestOrigin(request),
    );
    if (isDryRun(request)) return answerDryRun(reply, this.dryRunner.plan(command));
    const outcome = await this.commands.execute(command);
    withDeploymentHeaders(reply, outcome);
    return deploymentResult(outcome, outcome.events[outcome.events.length - 1]?.at ?? null);
  }

  /** The group tree as it was at one of the group's versions (time travel through the log). */
  private async treeAt(groupId: string, version: string): Promise<GroupTree> {
    const timeMs = Date.parse(version);
    const missing = () => new CommandRejected('not-found', `Group '${groupId}' does not exist in version ${version}`);
    if (Number.isNaN(timeMs)) throw missing();
    const current = new GroupTree(this.runtime.projection.state);
    // Versions are those of a group that exists: a deleted group has none to go back to (404).
    if (!current.has(groupId)) throw new CommandRejected('not-found', `Group '${groupId}' does not exist`);
    if (current.version(groupId) === version) return current;
    if (!current.versionsOf(groupId).includes(version)) throw missing();
    const rebuilt = await this.history.rebuild({ timeMs, time: version });
    const then = new GroupTree(rebuilt.state);
    if (!then.has(groupId)) throw missing();
    return then;
  }

  private async specAt(groupId: string, version: string): Promise<GroupSpecInput> {
    return (await this.treeAt(groupId, version)).asSpec(groupId) as unknown as GroupSpecInput;
  }
}

/** `/v2/groups`, `/v2/groups/` and `/v2/groups//prod/` name the root and `/prod`. */
function toGroupId(raw: string): string {
  if (pathSegments(raw).length === 0) return ROOT_GROUP;
  const checked = validatePathId(raw);
  if (!checked.ok) throw new MarathonValidationError(checked.message, checked.details);
  return checked.id;
}

/** The version this command gave the group (a later write may already be applied). */
function groupVersionOf(outcome: CommandOutcome, groupId: string): string | null {
  for (const event of outcome.events) {
    if ((event.type === 'GroupCreated' || event.type === 'GroupUpdated') && event.data.group.id === groupId) {
      return event.data.version;
    }
  }
  return outcome.events[outcome.events.length - 1]?.at ?? null;
}

function wildcard(request: FastifyRequest): string {
  return decodeURIComponent((request.params as Record<string, string>)['*'] ?? '');
}
