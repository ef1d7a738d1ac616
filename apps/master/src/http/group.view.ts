import { parentOf, ROOT_GROUP, type ClusterState, type TaskRecord } from '@cairn/domain';
import type { AppDefinition } from '@cairn/events';
import { embedKeysOf, embedOf, type AppEmbed, type EmbedKey } from './app-embed';
import { appDefinitionView, appInfo } from './app.view';
import { tasksByApp } from './task.view';

type Json = Record<string, unknown>;

/** What a group view carries (Marathon's GroupInfo.Embed) and what each of its apps carries. */
export interface GroupEmbed {
  readonly groups: boolean;
  readonly apps: boolean;
  readonly app: AppEmbed;
}

/**
 * `?embed=` of /v2/groups: absent, Marathon's default (`group.groups`, `group.apps`); given, exactly
 * what is named (`group.apps.tasks` implies `group.apps`). Unknown values are ignored, as Marathon does.
 */
export function parseGroupEmbed(raw: string | readonly string[] | undefined): GroupEmbed {
  const values = raw === undefined ? ['group.groups', 'group.apps'] : typeof raw === 'string' ? [raw] : raw;
  let groups = false;
  let apps = false;
  const parts: EmbedKey[] = [];
  for (const value of values) {
    if (value === 'group.groups') groups = true;
    else if (value === 'group.apps') apps = true;
    else if (value.startsWith('group.apps.')) {
      const keys = embedKeysOf(value.slice('group.apps.'.length));
      if (keys) {
        apps = true;
        parts.push(...keys);
      }
    }
  }
  return { groups, apps, app: embedOf(parts) };
}

/** One group of the tree: its record (if a group command named it), its own apps, its subgroups. */
interface GroupNode {
  readonly id: string;
  readonly dependencies: readonly string[];
  readonly enforceRole: boolean;
  readonly ownVersion: string | null;
  readonly apps: AppDefinition[];
  readonly groups: Set<string>;
}

/** A version for a tree with nothing in it (no group command, no app). */
const EMPTY_VERSION = new Date(0).toISOString();

/**
 * The group tree of a state, built in one pass over its groups and apps (a view of the state at
 * one moment: built per request).
 */
export class GroupTree {
  private readonly nodes = new Map<string, GroupNode>();
  private readonly versions = new Map<string, string>();

  constructor(private readonly state: ClusterState) {
    this.node(ROOT_GROUP);
    for (const record of state.groups.values()) this.node(record.id);
    for (const app of state.apps.values()) this.node(parentOf(app.id)).apps.push(app);
  }

  has(groupId: string): boolean {
    return this.nodes.has(groupId);
  }

  /** Marathon's group version: the newest change within it (its own, its apps', its subgroups'). */
  version(groupId: string): string {
    const known = this.versions.get(groupId);
    if (known !== undefined) return known;
    const node = this.nodes.get(groupId);
    if (!node) throw new Error(`no group ${groupId} in this tree: ask has() first`);
    let newest = node.ownVersion ?? EMPTY_VERSION;
    for (const app of node.apps) if (app.version > newest) newest = app.version;
    for (const child of node.groups) {
      const version = this.version(child);
      if (version > newest) newest = version;
    }
    this.versions.set(groupId, newest);
    return newest;
  }

  /** The versions `/v2/groups/{id}/versions` lists, newest first: those of its group commands, or its current one. */
  versionsOf(groupId: string): string[] {
    if (!this.has(groupId)) return [];
    const recorded = this.state.groups.get(groupId)?.versions ?? [];
    const current = this.version(groupId);
    const all = recorded.includes(current) ? recorded : [...recorded, current];
    return [...all].reverse();
  }

  /** Marathon's GroupInfo, in its field order (`enforceRole` is kept in the log, not rendered: see docs). */
  view(groupId: string, embed: GroupEmbed, nowMs: number): Json {
    const node = this.nodes.get(groupId)!;
    const grouped = embed.apps && embed.app.tasks ? tasksByApp(this.state) : null;
    return this.render(node, embed, nowMs, grouped);
  }

  /** The group as a GroupUpdate body that recreates it (a revert to this version). */
  asSpec(groupId: string): Json {
    const node = this.nodes.get(groupId)!;
    return {
      id: node.id,
      dependencies: [...node.dependencies],
      enforceRole: node.enforceRole,
      apps: node.apps.map((app) => {
        const { version: _version, versionInfo: _versionInfo, ...definition } = app;
        return definition;
      }),
      groups: [...node.groups].sort().map((child) => this.asSpec(child)),
    };
  }

  private render(node: GroupNode, embed: GroupEmbed, nowMs: number, grouped: Map<string, TaskRecord[]> | null): Json {
    const view: Json = { id: node.id };
    if (embed.apps) {
      view.apps = [...node.apps]
        .sort((a, b) => a.id.localeCompare(b.id))
        .map((app) =>
          isPlainDefinition(embed.app)
            ? appDefinitionView(app)
            : appInfo(app, this.state, embed.app, { tasks: grouped?.get(app.id) ?? [], nowMs }),
        );
    }
    if (embed.groups) {
      view.groups = [...node.groups].sort().map((child) => this.render(this.nodes.get(child)!, embed, nowMs, grouped));
    }
    view.pods = [];
    view.dependencies = [...node.dependencies];
    view.version = this.version(node.id);
    return view;
  }

  /** The node of `groupId`, made (with its ancestors, linked) if missing. */
  private node(groupId: string): GroupNode {
    const known = this.nodes.get(groupId);
    if (known) return known;
    const record = this.state.groups.get(groupId);
    const node: GroupNode = {
      id: groupId,
      dependencies: record?.dependencies ?? [],
      enforceRole: record?.enforceRole ?? false,
      ownVersion: record?.version ?? null,
      apps: [],
      groups: new Set(),
    };
    this.nodes.set(groupId, node);
    if (groupId !== ROOT_GROUP) this.node(parentOf(groupId)).groups.add(groupId);
    return node;
  }
}

function isPlainDefinition(embed: AppEmbed): boolean {
  return !Object.values(embed).some(Boolean);
}
