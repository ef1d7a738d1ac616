/**
 * GROUP_BY: spread an app's instances evenly over the values of a field (hosts, racks, zones).
 * `counts` = placed instances per value (instances whose agent lacks the field are in no group);
 * `groups` = the constraint's optional N, the number of distinct values expected.
 *
 * With N (an integer >= 1), Marathon 1.11's rule (PR #7206):
 *
 *   target    = floor(instances / N)          every group gets this many
 *   remainder = instances mod N               this many groups get one more
 *   consumed  = Σ max(0, count(g) - target)   over the groups in use
 *
 *   a value in use, count c:  accept iff c < target, or c = target and consumed < remainder
 *   a new value:              accept iff fewer than N values are in use
 *
 * So once every instance is placed each of the N groups holds target or target + 1.
 *
 * Without N (absent, not an integer, or <= 0; Marathon divides by zero there): accept a new value;
 * accept a value in use only if its count is the minimum among the values in use. How even the
 * result is then depends on the order offers arrive in (Marathon's docs say the same).
 */
export function groupByAccepts(
  counts: ReadonlyMap<string, number>,
  value: string,
  groups: number | undefined,
  instances: number,
): boolean {
  const count = counts.get(value);
  if (groups === undefined || groups < 1) {
    if (count === undefined) return true;
    for (const c of counts.values()) if (c < count) return false;
    return true;
  }
  if (count === undefined) return counts.size < groups;
  const wanted = Math.max(0, Math.floor(instances));
  const target = Math.floor(wanted / groups);
  const remainder = wanted % groups;
  let consumed = 0;
  for (const c of counts.values()) consumed += Math.max(0, c - target);
  return count < target || (count === target && consumed < remainder);
}
