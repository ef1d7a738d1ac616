import type { MasterHttp } from './master-http';

/** What /v1/events returns per event (the fields the benchmarks read). */
export interface RecordedEventJson {
  readonly offset: number;
  readonly id: string;
  readonly type: string;
  readonly v: number;
  readonly at: string;
  readonly actor: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly data: Record<string, unknown>;
}

/**
 * Every event in [from, to) through `GET /v1/events` pages, read after the measured part: a
 * follower during the run would cost the master a read and a decode of every event (about a
 * tenth of its CPU in a 10,000-task launch) and slow down what it measures.
 */
export async function readLogPages(http: MasterHttp, from: number, to: number): Promise<RecordedEventJson[]> {
  const events: RecordedEventJson[] = [];
  let next = from;
  while (next < to) {
    const page = await http.expect<{ events: RecordedEventJson[]; next: number }>(
      'GET',
      `/v1/events?from=${next}&to=${to}`,
    );
    events.push(...page.body.events);
    if (page.body.next <= next) throw new Error(`/v1/events?from=${next} made no progress`);
    next = page.body.next;
  }
  return events;
}
