/**
 * Marathon's label selectors (`GET /v2/apps?label=`, its `LabelSelectorParsers`): selectors
 * separated by commas, all of which must hold (AND):
 *
 *   key              the label exists
 *   key==value       it exists and equals value
 *   key!=value       it exists and differs from value
 *   key in (a,b)     it exists and is one of the set
 *   key notin (a,b)  it exists and is none of the set
 *
 * A term is made of `-A-Za-z0-9_.` and backslash escapes (`\,` is a comma inside a term);
 * whitespace between tokens is allowed. Marathon requires the key for every selector, `!=` and
 * `notin` included, and so do we.
 */
export interface LabelSelector {
  readonly key: string;
  readonly op: 'exists' | '==' | '!=' | 'in' | 'notin';
  readonly values: readonly string[];
}

export class LabelSelectorSyntaxError extends Error {
  constructor(
    readonly selector: string,
    readonly position: number,
    expected: string,
  ) {
    super(`Invalid label selector '${selector}': expected ${expected} at position ${position}`);
    this.name = new.target.name;
  }
}

/** Parses a whole `label=` value; an empty one selects everything. Throws LabelSelectorSyntaxError. */
export function parseLabelSelectors(text: string): LabelSelector[] {
  const parser = new Parser(text);
  const selectors: LabelSelector[] = [];
  parser.skipSpace();
  if (parser.atEnd()) return selectors;
  for (;;) {
    selectors.push(parser.selector());
    parser.skipSpace();
    if (parser.atEnd()) return selectors;
    parser.expect(',', "',' or the end");
  }
}

/** Whether labels satisfy every selector. */
export function matchesLabels(selectors: readonly LabelSelector[], labels: Readonly<Record<string, string>>): boolean {
  return selectors.every((s) => {
    if (!Object.hasOwn(labels, s.key)) return false;
    const value = labels[s.key];
    switch (s.op) {
      case 'exists':
        return true;
      case '==':
        return value === s.values[0];
      case '!=':
        return value !== s.values[0];
      case 'in':
        return s.values.includes(value);
      case 'notin':
        return !s.values.includes(value);
    }
  });
}

const TERM_CHAR = /[-A-Za-z0-9_.]/;

/** A small recursive-descent parser over one selector string (the grammar above). */
class Parser {
  private pos = 0;

  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  skipSpace(): void {
    while (!this.atEnd() && /\s/.test(this.text[this.pos])) this.pos++;
  }

  expect(token: string, what: string): void {
    this.skipSpace();
    if (!this.text.startsWith(token, this.pos)) throw this.error(what);
    this.pos += token.length;
  }

  selector(): LabelSelector {
    const key = this.term();
    this.skipSpace();
    for (const op of ['==', '!='] as const) {
      if (this.text.startsWith(op, this.pos)) {
        this.pos += op.length;
        return { key, op, values: [this.term()] };
      }
    }
    // `in`/`notin` are words: `keyin` is a term, so they only count after whitespace.
    const setOp = /^(notin|in)\s*\(/.exec(this.text.slice(this.pos));
    if (setOp && /\s/.test(this.text[this.pos - 1] ?? '')) {
      this.pos += setOp[1].length;
      return { key, op: setOp[1] as 'in' | 'notin', values: this.set() };
    }
    return { key, op: 'exists', values: [] };
  }

  private set(): string[] {
    this.expect('(', "'('");
    const values: string[] = [];
    this.skipSpace();
    if (this.text[this.pos] === ')') {
      this.pos++;
      return values;
    }
    for (;;) {
      values.push(this.term());
      this.skipSpace();
      if (this.text[this.pos] === ')') {
        this.pos++;
        return values;
      }
      this.expect(',', "',' or ')'");
    }
  }

  /** One term, escapes resolved (`\x` is `x`). */
  private term(): string {
    this.skipSpace();
    let out = '';
    while (!this.atEnd()) {
      const c = this.text[this.pos];
      if (c === '\\' && this.pos + 1 < this.text.length) {
        out += this.text[this.pos + 1];
        this.pos += 2;
      } else if (TERM_CHAR.test(c)) {
        out += c;
        this.pos++;
      } else break;
    }
    if (out === '') throw this.error('a label key or value');
    return out;
  }

  private error(expected: string): LabelSelectorSyntaxError {
    return new LabelSelectorSyntaxError(this.text, this.pos, expected);
  }
}
