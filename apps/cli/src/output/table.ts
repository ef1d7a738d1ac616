/** Plain-text layout for humans: aligned columns and key/value blocks. Pure functions. */

const COLUMN_GAP = '  ';
const ELLIPSIS = '…';

/** Columns padded to their widest cell; the last column is not padded (no trailing spaces). */
export function formatTable(columns: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [columns, ...rows];
  const widths = columns.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  const last = columns.length - 1;
  return all
    .map((row) => columns.map((_, i) => (i === last ? (row[i] ?? '') : (row[i] ?? '').padEnd(widths[i]))))
    .map((cells) => cells.join(COLUMN_GAP).trimEnd() + '\n')
    .join('');
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
