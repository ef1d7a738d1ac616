import type { EventLog } from '@cairn/eventlog';
import type { AppDefinition, CairnEvent, RecordedEvent } from '@cairn/events';
import { readEvents } from './event-stream';

/** Marathon's `--zk_max_versions` default: versions kept per app. */
export const APP_VERSIONS_MAX = 50;

/**
 * One stored version of an app: the offsets of the events that make it, oldest first — the
 * config event (AppCreated/AppUpdated) and the scales and restarts on top of it.
 */
export interface VersionEntry {
  readonly version: string;
  readonly offsets: readonly number[];
}

/**
 * The versions of each app, as log offsets rather than copies of definitions (memory stays
 * small whatever the app's size); a definition is read back from the log when asked for. Built
 * from the same applied events as the state (start-up replay and live), outside the hashed state.
 */
export class AppVersionIndex {
  private readonly byApp = new Map<string, VersionEntry[]>();
  /**
   * Apps whose newest entry ends with an AppScaled (addOnTop builds on the newest only). Not stored
   * in snapshots: after a restore the next scale appends once, and the run collapses from there.
   */
  private readonly newestEndsWithScale = new Set<string>();

  observe(event: RecordedEvent<CairnEvent>): void {
    switch (event.type) {
      case 'AppCreated':
        this.byApp.delete(event.data.app.id);
        this.add(event.data.app.id, event.data.app.version, [event.offset]);
        return;
      case 'AppUpdated':
        this.add(event.data.app.id, event.data.app.version, [event.offset]);
        return;
      case 'AppScaled':
        return this.addOnTop(event.data.appId, event.data.lastScalingAt, event.offset, 'scale');
      case 'AppRestartRequested':
        return this.addOnTop(event.data.appId, event.data.version, event.offset, 'restart');
      case 'AppDeleted':
        this.byApp.delete(event.data.appId);
        this.newestEndsWithScale.delete(event.data.appId);
        return;
      default:
        return;
    }
  }

  /** Every app's versions, oldest first (what a snapshot stores). Entries are never mutated. */
  entries(): [string, readonly VersionEntry[]][] {
    return Array.from(this.byApp, ([appId, entries]) => [appId, entries.slice()]);
  }

  /** Replaces the index with one read from a snapshot. */
  restore(entries: Iterable<readonly [string, readonly VersionEntry[]]>): void {
    this.byApp.clear();
    this.newestEndsWithScale.clear();
    for (const [appId, versions] of entries) this.byApp.set(appId, [...versions]);
  }

  /** Newest first, as Marathon lists them. */
  versions(appId: string): string[] {
    return (this.byApp.get(appId) ?? []).map((e) => e.version).reverse();
  }

  /** The app as it was at `version`, read back from the log; undefined if that version is not kept. */
  async definitionAt(log: EventLog, appId: string, version: string): Promise<AppDefinition | undefined> {
    const entry = (this.byApp.get(appId) ?? []).find((e) => e.version === version);
    if (!entry) return undefined;
    let app: AppDefinition | undefined;
    for (const offset of entry.offsets) {
      for await (const events of readEvents(log, { from: offset, to: offset + 1 })) {
        for (const event of events) app = applyVersionEvent(app, event);
      }
    }
    return app;
  }

  private add(appId: string, version: string, offsets: number[]): void {
    const entries = this.byApp.get(appId) ?? [];
    entries.push({ version, offsets });
    if (entries.length > APP_VERSIONS_MAX) entries.shift();
    this.byApp.set(appId, entries);
    this.newestEndsWithScale.delete(appId);
  }

  private addOnTop(appId: string, version: string, offset: number, kind: 'scale' | 'restart'): void {
    const last = this.byApp.get(appId)?.at(-1);
    if (!last) return;
    // A scale overwrites everything the scale before it set (instances, version, lastScalingAt), so
    // a run of scales keeps only its last: the offsets stay a few, not one more per scale (an app
    // scaled 500 times would otherwise store 50 versions of up to 500 offsets each, rebuilt per scale).
    const offsets =
      kind === 'scale' && this.newestEndsWithScale.has(appId)
        ? [...last.offsets.slice(0, -1), offset]
        : [...last.offsets, offset];
    this.add(appId, version, offsets);
    if (kind === 'scale') this.newestEndsWithScale.add(appId);
  }
}

function applyVersionEvent(
  app: AppDefinition | undefined,
  event: RecordedEvent<CairnEvent>,
): AppDefinition | undefined {
  switch (event.type) {
    case 'AppCreated':
    case 'AppUpdated':
      return event.data.app;
    case 'AppScaled':
      return (
        app && {
          ...app,
          instances: event.data.instances,
          version: event.data.lastScalingAt,
          versionInfo: { ...app.versionInfo, lastScalingAt: event.data.lastScalingAt },
        }
      );
    case 'AppRestartRequested':
      return (
        app && {
          ...app,
          version: event.data.version,
          versionInfo: { lastConfigChangeAt: event.data.version, lastScalingAt: event.data.version },
        }
      );
    default:
      return app;
  }
}
