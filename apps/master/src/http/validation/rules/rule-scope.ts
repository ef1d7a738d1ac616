/**
 * What the body is: a whole app definition (create, full replacement, or a merged result), or
 * the patch of a partial update, where rules that need fields the patch may not carry (ports
 * for a health check's portIndex, the secrets an env entry refers to, ...) cannot be judged.
 */
export interface RuleScope {
  readonly wholeApp: boolean;
}
