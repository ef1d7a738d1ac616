import type { CairnEvent, RecordedEvent, SubjectKind } from '@cairn/events';
import { visitSubjects } from '@cairn/events';

/** `decline`: the apps an OfferDeclined or OffersDeclined names, kept apart from their other events (declines repeat). */
type IndexKind = SubjectKind | 'correlation' | 'decline';
/** Every kind, as a record so that a new SubjectKind does not compile until it is indexed. */
const KIND_SET: Record<IndexKind, true> = {
  app: true,
  task: true,
  agent: true,
  deployment: true,
  offer: true,
  group: true,
  correlation: true,
  decline: true,
};
const KINDS = Object.keys(KIND_SET) as IndexKind[];

/**
 * Which offsets concern which entity, so `why`, the audit and filtered event reads jump to an
 * entity's events instead of scanning the log. Ended tasks are not in the state; their history
 * is here. Kept beside the state (outside its hash, like the app version index), fed the same
 * applied events; it covers the events applied since it was created (`coversFrom`). A master that
 * started from a snapshot indexes the log before it in the background (`absorbOlder`): not saving
 * the index in snapshots keeps them, and every start, as small and fast as before.
 *
 * What is left out, because it would dominate the index and answers no question: the agents and
 * offers of every `OffersMade` (every pass offers every agent). A declined offer is kept only under
 * the apps its decline names, apart from their other events (`declinesOf`): an app that fits nowhere
 * is declined on every pass. An accepted offer is indexed with the `OffersMade` that made it (the
 * last one: offers are answered in the pass that makes them).
 *
 * Cost: a few map operations per event; memory: about one number per (event, subject) pair, plus
 * each task's app.
 */
export class SubjectIndex {
  private readonly byKind = new Map<IndexKind, Map<string, number[]>>(KINDS.map((kind) => [kind, new Map()]));
  private readonly taskApps = new Map<string, string>();
  private first: number | null = null;
  /** The offset of the last OffersMade, where an accepted offer was made. */
  private lastOffersMade = -1;

  /** The first offset indexed; events before it were never seen by this index (null: none yet). */
  get coversFrom(): number | null {
    return this.first;
  }

  observe(event: RecordedEvent<CairnEvent>): void {
    const offset = event.offset;
    if (this.first === null) this.first = offset;
    this.add('correlation', event.correlationId, offset);
    switch (event.type) {
      case 'OffersMade':
        this.lastOffersMade = offset;
        return;
      case 'OfferAccepted':
        if (this.lastOffersMade >= 0) this.add('offer', event.data.offerId, this.lastOffersMade);
        break;
      case 'TaskLaunched':
        this.taskApps.set(event.data.taskId, event.data.appId);
        break;
      default:
        break;
    }
    this.visiting = event;
    visitSubjects(event, this.visitSubject);
  }

  /** The event being indexed, for `visitSubject` (one visitor for every event: no closure per event). */
  private visiting: RecordedEvent<CairnEvent> | null = null;

  private readonly visitSubject = (kind: SubjectKind, id: string): void => {
    const event = this.visiting!;
    if (event.type === 'OfferDeclined' || event.type === 'OffersDeclined') {
      if (kind === 'app') this.add('decline', id, event.offset);
      return;
    }
    this.add(kind, id, event.offset);
  };

  /** The offsets of the events about one entity, ascending. */
  offsetsOf(kind: SubjectKind, id: string): readonly number[] {
    return this.byKind.get(kind)!.get(id) ?? [];
  }

  /** The offsets of the declines that named an app (why it was not placed), ascending. */
  declinesOf(appId: string): readonly number[] {
    return this.byKind.get('decline')!.get(appId) ?? [];
  }

  /** The offsets of the events of one chain (a user command or a scheduler decision), ascending. */
  offsetsOfCorrelation(correlationId: string): readonly number[] {
    return this.byKind.get('correlation')!.get(correlationId) ?? [];
  }

  /** The app a task was launched for, for every task launched since `coversFrom`. */
  appOfTask(taskId: string): string | undefined {
    return this.taskApps.get(taskId);
  }

  /**
   * Takes in an index of the events before this one's first (built by reading the log from 0 in
   * the background), in steps that leave the event loop free. Events observed meanwhile are
   * appended after, so every list stays in offset order.
   */
  *absorbOlder(older: SubjectIndex): Generator<void, void, void> {
    if (older.first === null) return;
    let step = 0;
    for (const kind of KINDS) {
      const mine = this.byKind.get(kind)!;
      for (const [id, offsets] of older.byKind.get(kind)!) {
        const newer = mine.get(id);
        mine.set(id, newer ? offsets.concat(newer) : offsets);
        if (++step % 1000 === 0) yield;
      }
    }
    for (const [taskId, appId] of older.taskApps) {
      if (!this.taskApps.has(taskId)) this.taskApps.set(taskId, appId);
      if (++step % 1000 === 0) yield;
    }
    this.first = older.first;
  }

  private add(kind: IndexKind, id: string, offset: number): void {
    const map = this.byKind.get(kind)!;
    const offsets = map.get(id);
    if (offsets === undefined) map.set(id, [offset]);
    // One event may name the same entity twice (a cancelled deployment superseded by itself).
    else if (offsets[offsets.length - 1] !== offset) offsets.push(offset);
  }
}
