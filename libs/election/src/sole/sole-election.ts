import type { Election, ElectionListener, LeaderView, StopOptions, Term } from '../election';

/**
 * The election of a master that can have no standby: the file log admits one writer (its lock),
 * so whoever opened it leads. It wins the term after `minTerm` as soon as it campaigns and keeps
 * it until it stops; it cannot hand over (`canHandOver` is false: DELETE /v2/leader is refused).
 */
export class SoleElection implements Election {
  readonly canHandOver = false;
  private readonly listeners = new Set<ElectionListener>();
  private term: Term = 0;
  private leading = false;

  constructor(
    readonly candidate: string,
    private readonly minTerm: Term = 0,
  ) {}

  async campaign(): Promise<void> {
    this.term = this.minTerm + 1;
    this.leading = true;
    // Announced after campaign() resolves, as the other adapters do: listeners may await campaign first.
    queueMicrotask(() => {
      this.emit({ type: 'leader-changed', term: this.term, leader: this.candidate });
      this.emit({ type: 'elected', term: this.term });
    });
  }

  current(): LeaderView {
    return { term: this.term, leader: this.term > 0 ? this.candidate : null, leading: this.leading };
  }

  isLeader(term?: Term): boolean {
    return this.leading && (term === undefined || term === this.term);
  }

  subscribe(listener: ElectionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async resign(): Promise<void> {
    throw new Error('a sole master cannot hand over: there is no standby');
  }

  async stop(_options?: StopOptions): Promise<void> {
    if (!this.leading) return;
    this.leading = false;
    this.emit({ type: 'deposed', term: this.term, reason: 'stopped' });
  }

  private emit(change: Parameters<ElectionListener>[0]): void {
    for (const listener of this.listeners) listener(change);
  }
}
