import type { CommandMeta } from '../command';

/**
 * A group as a group command gives it, ids made absolute and app bodies validated at the edge.
 * An absent field keeps what the group has (Marathon's GroupUpdate); `apps` and `groups` name the
 * group's direct children.
 */
export interface GroupSpecInput {
  readonly id: string;
  readonly dependencies?: readonly string[];
  readonly enforceRole?: boolean;
  readonly apps?: readonly Record<string, unknown>[];
  readonly groups?: readonly GroupSpecInput[];
}

/**
 * POST /v2/groups (`create`: the group must not exist), PUT /v2/groups/{id} (`update`: creates or
 * replaces; given `apps` and `groups` lists are the whole new lists, so children missing from
 * them are removed) and PATCH /v2/groups/{id} (`patch`: given apps are merged onto the current
 * ones, nothing is removed). One deployment for every app the command changes.
 */
export interface ChangeGroup {
  readonly kind: 'ChangeGroup';
  readonly group: GroupSpecInput;
  readonly mode: 'create' | 'update' | 'patch';
  readonly force: boolean;
  readonly meta: CommandMeta;
}

/** PUT /v2/groups/{id} with `scaleBy`: every app within the group scaled by the factor (rounded up). */
export interface ScaleGroup {
  readonly kind: 'ScaleGroup';
  readonly groupId: string;
  readonly scaleBy: number;
  readonly force: boolean;
  readonly meta: CommandMeta;
}

/** DELETE /v2/groups/{id}: the group, its subgroups and every app within them. */
export interface DeleteGroup {
  readonly kind: 'DeleteGroup';
  readonly groupId: string;
  readonly force: boolean;
  readonly meta: CommandMeta;
}

export type GroupCommand = ChangeGroup | ScaleGroup | DeleteGroup;
