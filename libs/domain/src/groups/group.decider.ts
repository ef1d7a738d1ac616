import { isoTime } from '@cairn/common/iso-time';
import type { AppDefinition, CairnEvent } from '@cairn/events';
import { CommandMeta, CommandRejected, draft, EventDraft } from '../command';
import { GROUP_VERSIONS_MAX, type ClusterState, type GroupRecord } from '../state';
import { deleteDecision, updateDecision, type AppDecision } from '../apps/app.decider';
import { withDeployment } from '../deployments/deployment.decider';
import type { AppChange } from '../deployments/plan';
import type { ChangeGroup, DeleteGroup, GroupCommand, GroupSpecInput, ScaleGroup } from './group.commands';
import { ancestorsOf, isWithin, parentOf } from './group-path';
import { appsWithin, childAppsOf, childGroupsOf, groupExists } from './group-tree';

export function decideGroup(command: GroupCommand, state: ClusterState): EventDraft[] {
  switch (command.kind) {
    case 'ChangeGroup':
      return changeGroup(command, state);
    case 'ScaleGroup':
      return scaleGroup(command, state);
    case 'DeleteGroup':
      return deleteGroup(command, state);
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}

/**
 * What one group command decides so far: the events in order, each changed app's change (one
 * deployment covers them all), the apps as decided (service ports of apps decided earlier in the
 * command count as taken) and the group records as they will be (their dependencies order the plan).
 */
class GroupChangeSet {
  readonly events: EventDraft[] = [];
  readonly changes = new Map<string, AppChange>();
  readonly apps: Map<string, AppDefinition>;
  readonly groups: Map<string, GroupRecord>;
  readonly version: string;

  constructor(
    readonly state: ClusterState,
    readonly meta: CommandMeta,
  ) {
    this.apps = state.apps.fork();
    this.groups = new Map(state.groups);
    this.version = isoTime(meta.now);
  }

  app(appId: string, decision: AppDecision): void {
    if (this.changes.has(appId)) throw new CommandRejected('invalid', `App '${appId}' is given more than once`);
    this.events.push(...decision.events);
    if (!decision.change) return;
    this.changes.set(appId, decision.change);
    if (decision.change.target) this.apps.set(appId, decision.change.target);
    else this.apps.delete(appId);
  }

  /** Records a group command's touch on a group: created, or updated to `spec` at this version. */
  group(spec: Omit<GroupRecord, 'version' | 'versions'>): void {
    const current = this.groups.get(spec.id);
    // Versions only move forward, also for two commands within one millisecond.
    const version =
      current && current.version >= this.version ? isoTime(Date.parse(current.version) + 1) : this.version;
    const group = { id: spec.id, dependencies: [...spec.dependencies], enforceRole: spec.enforceRole };
    this.events.push(draft(current ? 'GroupUpdated' : 'GroupCreated', { group, version }));
    this.groups.set(spec.id, { ...group, version, versions: [] });
  }

  removeGroup(groupId: string): void {
    for (const appId of appsWithin(this.state, groupId)) {
      if (!this.changes.has(appId)) this.app(appId, deleteDecision(this.state, this.state.apps.get(appId)!));
    }
    for (const id of [...this.state.groups.keys()].filter((id) => isWithin(id, groupId)).sort()) {
      this.events.push(draft('GroupDeleted', { groupId: id, version: this.version }));
      this.groups.delete(id);
    }
  }

  deployed(force: boolean): EventDraft[] {
    if (this.changes.size === 0) return this.events;
    return withDeployment(this.state, this.meta, this.changes, force, this.events, { groups: this.groups });
  }
}

function changeGroup({ group, mode, force, meta }: ChangeGroup, state: ClusterState): EventDraft[] {
  if (mode === 'create' && groupExists(state, group.id)) {
    throw new CommandRejected('conflict', `Group ${group.id} is already created. Use PUT to change this group.`);
  }
  const app = [group.id, ...ancestorsOf(group.id)].find((path) => state.apps.has(path));
  if (app !== undefined) {
    throw new CommandRejected(
      'conflict',
      `An app with id [${app}] exists: a group cannot have its id or be within it.`,
    );
  }
  const set = new GroupChangeSet(state, meta);
  applySpec(set, group, mode);
  return set.deployed(force);
}

/** One group of the command, then its children (depth first, in the order given). */
function applySpec(set: GroupChangeSet, spec: GroupSpecInput, mode: ChangeGroup['mode']): void {
  const { state, meta } = set;
  const current = state.groups.get(spec.id);
  set.group({
    id: spec.id,
    dependencies: spec.dependencies ?? current?.dependencies ?? [],
    enforceRole: spec.enforceRole ?? current?.enforceRole ?? false,
  });
  if (spec.apps) {
    const given = new Set<string>();
    for (const body of spec.apps) {
      const appId = body.id as string;
      if (parentOf(appId) !== spec.id) {
        throw new CommandRejected('invalid', `App '${appId}' is not a direct child of group '${spec.id}'`);
      }
      if (state.groups.has(appId)) {
        throw new CommandRejected('conflict', `A group with id [${appId}] exists: an app cannot have its id.`);
      }
      given.add(appId);
      // A group's app is a whole definition (PUT) or a patch of the current one (PATCH).
      set.app(appId, updateDecision(state, appId, body, mode === 'patch', false, meta.now, set.apps));
    }
    if (mode === 'update') {
      for (const appId of childAppsOf(state, spec.id)) {
        if (!given.has(appId)) set.app(appId, deleteDecision(state, state.apps.get(appId)!));
      }
    }
  }
  if (spec.groups) {
    const given = new Set<string>();
    for (const child of spec.groups) {
      if (child.id === spec.id || parentOf(child.id) !== spec.id) {
        throw new CommandRejected('invalid', `Group '${child.id}' is not a direct child of group '${spec.id}'`);
      }
      if (given.has(child.id)) throw new CommandRejected('invalid', `Group '${child.id}' is given more than once`);
      given.add(child.id);
      applySpec(set, child, mode);
    }
    if (mode === 'update') {
      for (const childId of childGroupsOf(state, spec.id)) if (!given.has(childId)) set.removeGroup(childId);
    }
  }
}

/** Marathon's scaleBy: instances × factor, rounded up, for every app within the group. */
function scaleGroup({ groupId, scaleBy, force, meta }: ScaleGroup, state: ClusterState): EventDraft[] {
  if (!groupExists(state, groupId)) throw new CommandRejected('not-found', `Group '${groupId}' does not exist`);
  if (!(scaleBy >= 0) || !Number.isFinite(scaleBy)) {
    throw new CommandRejected('invalid', `scaleBy must be a finite number of at least 0, not ${scaleBy}`);
  }
  const set = new GroupChangeSet(state, meta);
  const current = state.groups.get(groupId);
  set.group({ id: groupId, dependencies: current?.dependencies ?? [], enforceRole: current?.enforceRole ?? false });
  for (const appId of appsWithin(state, groupId)) {
    const app = state.apps.get(appId)!;
    // Rounded to 1e-9 first: 3 × 1.1 is 3.3000000000000003 in doubles, whose ceiling would be 5.
    const instances = Math.ceil(Math.round(app.instances * scaleBy * 1e9) / 1e9);
    if (!Number.isSafeInteger(instances)) {
      throw new CommandRejected('invalid', `scaleBy ${scaleBy} gives ${appId} more instances than can be counted`);
    }
    set.app(appId, updateDecision(state, appId, { instances }, true, true, meta.now, set.apps));
  }
  return set.deployed(force);
}

function deleteGroup({ groupId, force, meta }: DeleteGroup, state: ClusterState): EventDraft[] {
  if (!groupExists(state, groupId)) throw new CommandRejected('not-found', `Group '${groupId}' does not exist`);
  const set = new GroupChangeSet(state, meta);
  set.removeGroup(groupId);
  return set.deployed(force);
}

/** Applies one group event. Records are replaced, never mutated (see Ownership). */
export function evolveGroup(state: ClusterState, event: CairnEvent): void {
  switch (event.type) {
    case 'GroupCreated':
    case 'GroupUpdated': {
      const { group, version } = event.data;
      const previous = state.groups.get(group.id)?.versions ?? [];
      const versions = [...previous, version].slice(-GROUP_VERSIONS_MAX);
      state.groups.set(group.id, { ...group, version, versions });
      return;
    }
    case 'GroupDeleted':
      state.groups.delete(event.data.groupId);
      return;
    default:
      return;
  }
}
