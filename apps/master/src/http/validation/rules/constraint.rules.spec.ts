import { constraintViolation } from './constraint.rules';
import { RuleMessages } from './rule-messages';

describe('constraintViolation', () => {
  const cases: { name: string; constraint: string[]; want: string | undefined }[] = [
    { name: 'UNIQUE without a value is fine', constraint: ['hostname', 'UNIQUE'], want: undefined },
    {
      name: 'UNIQUE with a value is refused',
      constraint: ['hostname', 'UNIQUE', 'x'],
      want: RuleMessages.constraintUniqueValue,
    },
    { name: 'CLUSTER with a value is fine', constraint: ['rack', 'CLUSTER', 'rack-1'], want: undefined },
    { name: 'CLUSTER without a value is fine', constraint: ['rack', 'CLUSTER'], want: undefined },
    { name: 'GROUP_BY without a value is fine', constraint: ['rack', 'GROUP_BY'], want: undefined },
    { name: 'GROUP_BY with an integer is fine', constraint: ['rack', 'GROUP_BY', '3'], want: undefined },
    {
      name: 'GROUP_BY with a signed integer is fine (Scala toInt)',
      constraint: ['rack', 'GROUP_BY', '+3'],
      want: undefined,
    },
    {
      name: 'GROUP_BY with a decimal is refused',
      constraint: ['rack', 'GROUP_BY', '1.5'],
      want: RuleMessages.constraintGroupBy,
    },
    {
      name: 'GROUP_BY beyond a 32-bit int is refused',
      constraint: ['rack', 'GROUP_BY', '2147483648'],
      want: RuleMessages.constraintGroupBy,
    },
    { name: 'MAX_PER with an integer is fine', constraint: ['rack', 'MAX_PER', '2'], want: undefined },
    {
      name: 'MAX_PER without a value is refused',
      constraint: ['rack', 'MAX_PER'],
      want: RuleMessages.constraintMaxPer,
    },
    {
      name: 'MAX_PER with a word is refused',
      constraint: ['rack', 'MAX_PER', 'two'],
      want: RuleMessages.constraintMaxPer,
    },
    { name: 'LIKE with a regex is fine', constraint: ['hostname', 'LIKE', 'agent-[0-9]+'], want: undefined },
    {
      name: 'LIKE without a value is refused',
      constraint: ['hostname', 'LIKE'],
      want: RuleMessages.constraintLikeValue,
    },
    {
      name: 'UNLIKE with a broken regex is refused',
      constraint: ['hostname', 'UNLIKE', 'agent-[0-9'],
      want: RuleMessages.constraintRegex,
    },
    { name: 'IS with text is fine', constraint: ['os', 'IS', 'linux'], want: undefined },
    { name: 'IS with a scalar is fine', constraint: ['cores', 'IS', '4.5'], want: undefined },
    { name: 'IS with a set is refused', constraint: ['os', 'IS', '{a,b}'], want: RuleMessages.constraintIs },
    { name: 'operators are matched in any case', constraint: ['hostname', 'unique'], want: undefined },
    { name: 'an unknown operator is refused', constraint: ['hostname', 'NEAR'], want: RuleMessages.constraintOperator },
    { name: 'one field is refused', constraint: ['hostname'], want: RuleMessages.constraintFields },
    {
      name: 'four fields are refused',
      constraint: ['hostname', 'LIKE', 'a', 'b'],
      want: RuleMessages.constraintFields,
    },
    { name: 'an empty field name is refused', constraint: ['', 'UNIQUE'], want: RuleMessages.constraintSpecification },
  ];

  it.each(cases)('$name', ({ constraint, want }) => expect(constraintViolation(constraint)).toBe(want));
});
