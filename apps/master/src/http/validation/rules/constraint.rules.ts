import { RuleMessages } from './rule-messages';

/**
 * One app constraint, `[field, OPERATOR]` or `[field, OPERATOR, value]` (notes §4), as
 * Marathon's `complyWithAppConstraintRules` judges it. The operator is matched
 * case-insensitively, like Marathon (`ConstraintOperator.fromString(op.toUpperCase)`).
 * Returns the violation message, or undefined when the constraint is valid.
 */
export function constraintViolation(constraint: readonly string[]): string | undefined {
  if (constraint.length < 2 || constraint.length > 3) return RuleMessages.constraintFields;
  const [field, operator, value] = constraint;
  if (field.length === 0) return RuleMessages.constraintSpecification;
  switch (operator.toUpperCase()) {
    case 'UNIQUE':
      return value === undefined ? undefined : RuleMessages.constraintUniqueValue;
    case 'CLUSTER':
      return undefined; // the value is optional: without one, later instances follow the first
    case 'GROUP_BY':
      return value === undefined || isJvmInt(value) ? undefined : RuleMessages.constraintGroupBy;
    case 'MAX_PER':
      return value !== undefined && isJvmInt(value) ? undefined : RuleMessages.constraintMaxPer;
    case 'LIKE':
    case 'UNLIKE':
      if (value === undefined) return RuleMessages.constraintLikeValue;
      return compiles(value) ? undefined : RuleMessages.constraintRegex;
    case 'IS':
      return MESOS_TEXT_OR_FLOAT.test(value ?? '') ? undefined : RuleMessages.constraintIs;
    default:
      return RuleMessages.constraintOperator;
  }
}

/** IS accepts Mesos text and scalar values only (sets and ranges are reserved for later). */
const MESOS_TEXT_OR_FLOAT = /^[a-zA-Z0-9_/.-]*$/;

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** Scala's `String.toInt`: optional sign, decimal digits, within a 32-bit int. */
function isJvmInt(text: string): boolean {
  if (!/^[+-]?\d+$/.test(text)) return false;
  const n = Number(text);
  return n >= INT32_MIN && n <= INT32_MAX;
}

/** Marathon compiles a java.util.regex Pattern; a JavaScript RegExp is the closest check here. */
function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}
