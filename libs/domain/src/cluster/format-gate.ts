import { catalogue, formatLevelOf } from '@cairn/events';
import { CommandRejected, type EventDraft } from '../command';

/**
 * The upgrade rule, as a pure check on what `decide` returns: no event is written above the
 * cluster version (the format level every master has agreed to read; libs/events/src/format-level.ts).
 * A `ClusterVersionRaised` in the same decision raises the bar for the drafts after it (and is
 * itself allowed at the level it raises to: that raise is the operator saying every master reads it).
 *
 * Deciders that introduce a new event type check `state.clusterVersion` and keep the old
 * behaviour below it; this gate is the net under them: it refuses the whole decision instead of
 * writing a record that a standby of the previous release would stop at.
 */
export function assertWritable(
  drafts: readonly EventDraft[],
  clusterVersion: number,
  /** The level of a (type, version): the catalogue's; a test passes its own to stand for a future type. */
  levelOf: (type: EventDraft['type'], v: number) => number = formatLevelOf,
): void {
  let version = clusterVersion;
  for (const draft of drafts) {
    const v = catalogue[draft.type].current;
    const level = levelOf(draft.type, v);
    const allowed = draft.type === 'ClusterVersionRaised' ? Math.max(version, draft.data.version) : version;
    if (level > allowed) {
      throw new CommandRejected(
        'conflict',
        `${draft.type} v${v} needs cluster version ${level} and the cluster is at ${version}: ` +
          `upgrade every master, then raise it (POST /v1/cluster/version, cairn cluster upgrade)`,
      );
    }
    if (draft.type === 'ClusterVersionRaised') version = Math.max(version, draft.data.version);
  }
}
