/**
 * A framework's refusal of one agent until a time: Mesos's `Filters.refuse_seconds`, set when the
 * framework declines an offer (or leaves part of it unused). `until` = decline time + refuse
 * seconds × 1000, in ms since the epoch. REVIVE is the caller dropping that framework's filters.
 */
export interface OfferFilter {
  readonly frameworkId: string;
  readonly agentId: string;
  /** No offer of this agent to this framework while now < until; from `until` on, offers resume. */
  readonly until: number;
}

/** The filters still in force at `now`, as a lookup: framework id → filtered agent ids. */
export function activeFilters(
  filters: readonly OfferFilter[],
  now: number,
): (frameworkId: string, agentId: string) => boolean {
  const byFramework = new Map<string, Set<string>>();
  for (const filter of filters) {
    if (!(now < filter.until)) continue;
    const agents = byFramework.get(filter.frameworkId) ?? new Set<string>();
    agents.add(filter.agentId);
    byFramework.set(filter.frameworkId, agents);
  }
  return (frameworkId, agentId) => byFramework.get(frameworkId)?.has(agentId) ?? false;
}
