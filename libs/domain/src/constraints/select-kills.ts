import { AgentFacts, Constraint, constraintField, constraintOperator, fieldValue } from './constraint';

/** An instance that scale-down may stop, with the agent it runs on. */
export interface KillCandidate extends AgentFacts {
  readonly taskId: string;
}

/**
 * Scale-down victims that keep GROUP_BY spreads even (Marathon's `selectInstancesToKill`, notes
 * §5.5): up to `count` task ids, in kill order. `candidates` come sorted by the caller's preference
 * (not running first, then killSelection); with no GROUP_BY constraint the first `count` are taken.
 *
 * With GROUP_BY, one victim at a time, from the largest group:
 *
 *   victim = the candidate whose group sizes, one per GROUP_BY constraint in the app's order, are
 *            largest (compared in that order); ties go to the lowest group values (compared as
 *            strings, in the same order), then to the earliest candidate
 *
 * A candidate whose agent lacks a GROUP_BY field is in no group: it goes first, as stopping it
 * leaves the spread as it is. Other operators do not steer kills (as in Marathon); N of GROUP_BY
 * does not either: the spread of the instances that stay is what is kept even.
 */
export function selectKillsForConstraints(
  constraints: readonly Constraint[],
  candidates: readonly KillCandidate[],
  count: number,
): string[] {
  const wanted = Math.min(Math.max(0, Math.floor(count)), candidates.length);
  const fields = constraints.filter((c) => constraintOperator(c) === 'GROUP_BY').map(constraintField);
  if (fields.length === 0) return candidates.slice(0, wanted).map((candidate) => candidate.taskId);

  // values[i][f] = candidate i's value for fields[f]; sizes[f] = live group sizes per value.
  const values = candidates.map((candidate) => fields.map((field) => fieldValue(candidate, field)));
  const sizes = fields.map((_, f) => {
    const size = new Map<string, number>();
    for (const row of values) if (row[f] !== undefined) size.set(row[f]!, (size.get(row[f]!) ?? 0) + 1);
    return size;
  });
  const rank = (i: number): number[] => values[i].map((v, f) => (v === undefined ? Infinity : sizes[f].get(v)!));

  const alive = candidates.map((_, i) => i);
  const victims: string[] = [];
  while (victims.length < wanted) {
    let best = 0;
    let bestRank = rank(alive[0]);
    for (let k = 1; k < alive.length; k++) {
      const r = rank(alive[k]);
      if (killsBefore(r, values[alive[k]], bestRank, values[alive[best]])) [best, bestRank] = [k, r];
    }
    const [victim] = alive.splice(best, 1);
    values[victim].forEach((v, f) => {
      if (v !== undefined) sizes[f].set(v, sizes[f].get(v)! - 1);
    });
    victims.push(candidates[victim].taskId);
  }
  return victims;
}

/** Larger groups first, then lower group values; equal on both keeps the earlier candidate. */
function killsBefore(
  rank: readonly number[],
  values: readonly (string | undefined)[],
  bestRank: readonly number[],
  bestValues: readonly (string | undefined)[],
): boolean {
  for (let f = 0; f < rank.length; f++) {
    if (rank[f] !== bestRank[f]) return rank[f] > bestRank[f];
  }
  for (let f = 0; f < values.length; f++) {
    const [a, b] = [values[f] ?? '', bestValues[f] ?? ''];
    if (a !== b) return a < b;
  }
  return false;
}
