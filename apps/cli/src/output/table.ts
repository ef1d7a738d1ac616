/** Plain-text layout for humans: aligned columns and key/value blocks. Pure functions. */

const COLUMN_GAP = '  ';
const ELLIPSIS = '…';

/** Columns padded to their widest cell; the last column is not padded (no trailing spaces). */
export function formatTable(columns: readonly string[], rows: readonly (readonly string[])[]): string {
  // Loops, not Math.max(...cells): a spread of 200,000 rows (`cairn tasks` at size) overflows the stack.
  const widths = columns.map((column) => column.length);
  for (const row of rows) {
    for (let i = 0; i < columns.length; i++) widths[i] = Math.max(widths[i], (row[i] ?? '').length);
  }
  const last = columns.length - 1;
  const line = (row: readonly string[]) =>
    columns
      .map((_, i) => (i === last ? (row[i] ?? '') : (row[i] ?? '').padEnd(widths[i])))
      .join(COLUMN_GAP)
      .trimEnd() + '\n';
  const lines = [line(columns)];
  for (const row of rows) lines.push(line(row));
  return lines.join('');
}

/** `KEY:  value` lines with the values aligned. */
export function formatFields(pairs: readonly (readonly [string, string])[]): string {
  const width = Math.max(0, ...pairs.map(([key]) => key.length + 1));
  return pairs.map(([key, value]) => `${`${key}:`.padEnd(width)}${COLUMN_GAP}${value}\n`).join('');
}

/** At most `maxChars` characters, the cut marked with an ellipsis; newlines shown as spaces. */
export function truncate(text: string, maxChars: number): string {
  const flat = text.replace(/\s*\n\s*/g, ' ');
  return flat.length <= maxChars ? flat : flat.slice(0, Math.max(0, maxChars - 1)) + ELLIPSIS;
}
