/**
 * An app's placement constraint in Marathon's array form, `[field, operator, value?]`, as an
 * AppDefinition stores it (notes §4). The REST edge has validated it; the operator is matched
 * case-insensitively, as Marathon does (`ConstraintOperator.fromString(op.toUpperCase)`).
 *
 * - field: `hostname` or `@hostname` = the agent's hostname; anything else = an agent attribute.
 * - operator: one of CONSTRAINT_OPERATORS.
 * - value: optional for CLUSTER and GROUP_BY, required for LIKE, UNLIKE and MAX_PER, absent for UNIQUE.
 *   An empty string counts as absent (Marathon reads the protobuf default, "").
 *
 * Typed as a plain string array so an AppDefinition's `string[][]` passes as it is.
 */
export type Constraint = readonly string[];

export const CONSTRAINT_OPERATORS = ['UNIQUE', 'CLUSTER', 'GROUP_BY', 'LIKE', 'UNLIKE', 'MAX_PER', 'IS'] as const;
export type ConstraintOperator = (typeof CONSTRAINT_OPERATORS)[number];

/**
 * What constraints read of an agent: the one offering, or the one an instance of the app runs on.
 * A hostname may be absent (an offer that does not say which host it is from): then a hostname
 * field is missing, like an attribute the agent does not have.
 */
export interface AgentFacts {
  readonly hostname?: string;
  readonly attributes?: Readonly<Record<string, string>>;
}

const HOSTNAME_FIELDS: ReadonlySet<string> = new Set(['hostname', '@hostname']);
const OPERATORS: ReadonlySet<string> = new Set(CONSTRAINT_OPERATORS);

export function constraintField(constraint: Constraint): string {
  return constraint[0] ?? '';
}

/** The operator in upper case, or undefined when it is none Cairn knows (then the constraint is never met). */
export function constraintOperator(constraint: Constraint): ConstraintOperator | undefined {
  const operator = (constraint[1] ?? '').toUpperCase();
  return OPERATORS.has(operator) ? (operator as ConstraintOperator) : undefined;
}

/** The constraint's value; undefined when absent or empty. */
export function constraintValue(constraint: Constraint): string | undefined {
  const value = constraint[2];
  return value === undefined || value === '' ? undefined : value;
}

/** The agent's value for a constraint field; undefined when the agent does not have that field. */
export function fieldValue(agent: AgentFacts, field: string): string | undefined {
  if (HOSTNAME_FIELDS.has(field)) return agent.hostname;
  const attributes = agent.attributes;
  // Own properties only: an attribute named "constructor" is not Object.prototype's.
  return attributes !== undefined && Object.prototype.hasOwnProperty.call(attributes, field)
    ? attributes[field]
    : undefined;
}

/** How many agents have each value of `field` (agents without the field are not counted). */
export function countByValue(agents: readonly AgentFacts[], field: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const agent of agents) {
    const value = fieldValue(agent, field);
    if (value !== undefined) counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  return counts;
}

/** `hostname:UNIQUE`, `rack:GROUP_BY:3`: how /v2/queue and the CLI name a constraint. */
export function constraintLabel(constraint: Constraint): string {
  const operator = constraintOperator(constraint) ?? constraint[1] ?? '';
  const value = constraintValue(constraint);
  return [constraintField(constraint), operator, ...(value === undefined ? [] : [value])].join(':');
}

/** Scala's `String.toInt` (what Marathon reads MAX_PER and GROUP_BY values with); undefined when it fails. */
export function parseConstraintInt(text: string | undefined): number | undefined {
  if (text === undefined || !/^[+-]?\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= -2_147_483_648 && n <= 2_147_483_647 ? n : undefined;
}
