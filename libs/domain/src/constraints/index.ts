export { CONSTRAINT_OPERATORS, constraintLabel, fieldValue } from './constraint';
export type { AgentFacts, Constraint, ConstraintOperator } from './constraint';
export { meetsConstraint, meetsConstraints } from './meets-constraints';
export type { ConstraintCheck } from './meets-constraints';
export { groupByAccepts } from './group-by';
export { selectKillsForConstraints } from './select-kills';
export type { KillCandidate } from './select-kills';
