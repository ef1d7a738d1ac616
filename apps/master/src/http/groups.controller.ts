import { Body, Controller, Delete, Get, Patch, Post, Put, Query, Req, Res } from '@nestjs/common';
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

type GroupWriteMode = 'create' | 'update' | 'patch';

/**
 * Marathon's /v2/groups: the tree of apps by path. Groups an app's path passes through exist
 * implicitly; group commands name groups, give them dependencies (which order every deployment
 * of their apps) and change a whole subtree in one deployment. Group ids are paths, so routes take
 * the rest of the URL; `versions` is a reserved last segment, as for apps.
 */
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

  @Get()
  root(@Query('embed') embed?: string | string[]) {
    return this.read('', embed);
  }

  @Get('*')
  show(@Req() request: FastifyRequest, @Query('embed') embed?: string | string[]) {
    return this.read(wildcard(request), embed);
  }

  /** POST /v2/groups: a new group, named by the body's id. */
  @Post()
  createAtRoot(
    @Req() request: FastifyRequest,
    @Body() body: unknown,
    @Query('force') force: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.write(request, ROOT_GROUP, body, 'create', force, reply);
  }

  /** POST /v2/groups/{id}: a new group within `{id}` (the body's id is relative to it). */
  @Post('*')
  create(
    @Req() request: FastifyRequest,
    @Body() body: unknown,
    @Query('force') force: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.write(request, toGroupId(wildcard(request)), body, 'create', force, reply);
  }

  @Put()
  updateRoot(
    @Req() request: FastifyRequest,
    @Body() body: unknown,
    @Query('force') force: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.write(request, ROOT_GROUP, body, 'update', force, reply);
  }

  /**
   * PUT /v2/groups/{id}: create or replace the group, scale it (`scaleBy`) or go back to a
   * `version`. PUT /v2/groups/{id}/versions/{version} (no body) is that revert too: it is what
   * marathon-python's `rollback_group` sends.
   */
  @Put('*')
  update(
    @Req() request: FastifyRequest,
    @Body() body: unknown,
    @Query('force') force: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const revertTo = wildcard(request).match(/^(.*?)\/?versions\/([^/]+)\/?$/);
    if (revertTo) return this.write(request, toGroupId(revertTo[1]!), { version: revertTo[2] }, 'update', force, reply);
    return this.write(request, toGroupId(wildcard(request)), body, 'update', force, reply);
  }

  @Patch()
  patchRoot(
    @Req() request: FastifyRequest,
    @Body() body: unknown,
    @Query('force') force: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.write(request, ROOT_GROUP, body, 'patch', force, reply);
  }

  /** PATCH /v2/groups/{id}: given fields and apps are merged onto the group's; nothing is removed. */
  @Patch('*')
  patch(
    @Req() request: FastifyRequest,
    @Body() body: unknown,
    @Query('force') force: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.write(request, toGroupId(wildcard(request)), body, 'patch', force, reply);
  }

  /** DELETE /v2/groups: every app and group. */
  @Delete()
  removeAll(
    @Req() request: FastifyRequest,
    @Query('force') force: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.remove(request, ROOT_GROUP, force, reply);
  }

  @Delete('*')
  removeOne(
    @Req() request: FastifyRequest,
    @Query('force') force: string | undefined,
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
    if (current.has(groupId) && current.version(groupId) === version) return current;
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
