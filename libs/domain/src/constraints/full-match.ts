/**
 * LIKE and UNLIKE match the WHOLE value, as Java's `String.matches` does in Marathon: the pattern
 * is anchored, `^(?:pattern)$`, so `LIKE rack-[12]` does not match `rack-10`.
 *
 * Each pattern is compiled once and kept: the cache only remembers pure results, so calls stay
 * deterministic. It is bounded (PATTERN_CACHE_MAX, then it starts over), since patterns come from
 * users. A pattern JavaScript cannot compile (a Java-only construct) matches nothing.
 */
export const PATTERN_CACHE_MAX = 256;

const compiled = new Map<string, RegExp | null>();

/** Whether `text` matches all of `pattern`; undefined when the pattern does not compile. */
export function fullMatch(pattern: string, text: string): boolean | undefined {
  let regex = compiled.get(pattern);
  if (regex === undefined) {
    regex = compile(pattern);
    if (compiled.size >= PATTERN_CACHE_MAX) compiled.clear();
    compiled.set(pattern, regex);
  }
  return regex === null ? undefined : regex.test(text);
}

function compile(pattern: string): RegExp | null {
  try {
    // Alone first: `a)(?:b` is no pattern, though wrapped it would compile.
    new RegExp(pattern);
    // No flags: no `g` or `y`, so test() keeps no lastIndex between calls.
    return new RegExp(`^(?:${pattern})$`);
  } catch {
    return null;
  }
}
