import type { CairnEvent, RecordedEvent, SubjectKind } from '@cairn/events';
import { visitSubjects } from '@cairn/events';

/**
 * Which offsets concern which entity, so `why`, the audit and filtered event reads jump to an
 * entity's events instead of scanning the log. Ended tasks are not in the state; their history
 * is here. Kept beside the state (outside its hash, like the app version index), fed the same
 * applied events; it covers the events applied since it was created (`coversFrom`). A master that
 * started from a snapshot indexes the log before it in the background (`absorbOlder`): not saving
 * the index in snapshots keeps them, and every start, as small and fast as before.
 *
 * Cost: a few map operations per event; memory: one number per (event, subject) pair, plus each
 * task's app (about 60 bytes per task ever launched).
 */
export class SubjectIndex {
  private readonly bySubject = new Map<string, number[]>();
  private readonly taskApps = new Map<string, string>();
  private first: number | null = null;

  /** The first offset indexed; events before it were never seen by this index (null: none yet). */
  get coversFrom(): number | null {
    return this.first;
  }

  observe(event: RecordedEvent<CairnEvent>): void {
    const offset = event.offset;
    if (this.first === null) this.first = offset;
    if (event.type === 'TaskLaunched') this.taskApps.set(event.data.taskId, event.data.appId);
    visitSubjects(event, (kind, id) => this.add(`${kind}:${id}`, offset));
    this.add(`corr:${event.correlationId}`, offset);
  }

  /** The offsets of the events about one entity, ascending. */
  offsetsOf(kind: SubjectKind, id: string): readonly number[] {
    return this.bySubject.get(`${kind}:${id}`) ?? [];
  }

  /** The offsets of the events of one chain (a user command or a scheduler decision), ascending. */
  offsetsOfCorrelation(correlationId: string): readonly number[] {
    return this.bySubject.get(`corr:${correlationId}`) ?? [];
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
    for (const [key, offsets] of older.bySubject) {
      const newer = this.bySubject.get(key);
      this.bySubject.set(key, newer ? offsets.concat(newer) : offsets);
      if (++step % 1000 === 0) yield;
    }
    for (const [taskId, appId] of older.taskApps) {
      if (!this.taskApps.has(taskId)) this.taskApps.set(taskId, appId);
      if (++step % 1000 === 0) yield;
    }
    this.first = older.first;
  }

  private add(key: string, offset: number): void {
    const offsets = this.bySubject.get(key);
    if (offsets === undefined) this.bySubject.set(key, [offset]);
    // One event may name the same entity twice (a cancelled deployment superseded by itself).
    else if (offsets[offsets.length - 1] !== offset) offsets.push(offset);
  }
}
