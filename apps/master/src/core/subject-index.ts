import type { CairnEvent, RecordedEvent, SubjectKind } from '@cairn/events';
import { visitSubjects } from '@cairn/events';

/**
 * Which offsets concern which entity, so `why`, the audit and filtered event reads jump to an
 * entity's events instead of scanning the log. Ended tasks are not in the state; their history
 * is here. Kept beside the state (outside its hash, like the app version index), fed the same
 * applied events; it covers the events applied since it was created (`coversFrom`): a master that
 * started from a snapshot holds only what followed it, and readers fall back to scanning the log
 * before that offset.
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

  private add(key: string, offset: number): void {
    const offsets = this.bySubject.get(key);
    if (offsets === undefined) this.bySubject.set(key, [offset]);
    // One event may name the same entity twice (a cancelled deployment superseded by itself).
    else if (offsets[offsets.length - 1] !== offset) offsets.push(offset);
  }
}
