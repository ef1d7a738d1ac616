import {
  AgentFacts,
  Constraint,
  constraintField,
  constraintOperator,
  constraintValue,
  countByValue,
  fieldValue,
  parseConstraintInt,
} from './constraint';
import { fullMatch } from './full-match';
import { groupByAccepts } from './group-by';

export type ConstraintCheck = { readonly ok: true } | { readonly ok: false; readonly constraint: Constraint };

const MET: ConstraintCheck = { ok: true };

/**
 * Whether an agent may take one more instance of an app, after Marathon's `Constraints.meetsConstraint`
 * (notes §4). Returns the first constraint, in the app's order, that the agent does not meet.
 *
 * - `placed`: the agents of the app's current instances (non-terminal, not being killed), one entry
 *   per instance, oldest first (CLUSTER without a value follows the first). The caller computes it.
 * - `instances`: how many instances the app wants in all (GROUP_BY with N divides it among groups).
 */
export function meetsConstraints(
  constraints: readonly Constraint[],
  candidate: AgentFacts,
  placed: readonly AgentFacts[],
  instances: number,
): ConstraintCheck {
  for (const constraint of constraints) {
    if (!meetsConstraint(constraint, candidate, placed, instances)) return { ok: false, constraint };
  }
  return MET;
}

/**
 * One constraint. The agent's value for the field is compared as a string; an agent without the
 * field meets only UNLIKE. A constraint Cairn cannot judge (unknown operator, MAX_PER without a
 * number, a pattern that does not compile) is never met, so the app waits and /v2/queue names it.
 */
export function meetsConstraint(
  constraint: Constraint,
  candidate: AgentFacts,
  placed: readonly AgentFacts[],
  instances: number,
): boolean {
  const field = constraintField(constraint);
  const operator = constraintOperator(constraint);
  const value = constraintValue(constraint);
  const offered = fieldValue(candidate, field);
  if (offered === undefined) return operator === 'UNLIKE';

  switch (operator) {
    case 'UNIQUE':
      return placed.every((agent) => fieldValue(agent, field) !== offered);
    case 'CLUSTER':
      return value !== undefined ? offered === value : followsFirst(placed, field, offered);
    case 'GROUP_BY':
      return groupByAccepts(countByValue(placed, field), offered, parseConstraintInt(value), instances);
    case 'MAX_PER': {
      const max = parseConstraintInt(value);
      return max !== undefined && placed.filter((agent) => fieldValue(agent, field) === offered).length < max;
    }
    case 'LIKE':
      return value !== undefined && fullMatch(value, offered) === true;
    case 'UNLIKE':
      return value !== undefined && fullMatch(value, offered) === false;
    case 'IS':
      return offered === (value ?? '');
    case undefined:
      return false;
  }
}

/**
 * CLUSTER without a value: the first instance goes anywhere, later ones where the first is. The
 * first placed instance that has the field sets the value (Marathon takes the very first, and an
 * instance without the field there would block the app for good).
 */
function followsFirst(placed: readonly AgentFacts[], field: string, offered: string): boolean {
  for (const agent of placed) {
    const value = fieldValue(agent, field);
    if (value !== undefined) return value === offered;
  }
  return true;
}
