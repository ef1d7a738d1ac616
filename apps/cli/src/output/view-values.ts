/**
 * Cell values for the agents and tasks views. The API's JSON is the source and fields may be
 * missing (an older or newer master), so a cell falls back to `-` rather than failing.
 */
export const NONE = '-';

export function text(value: unknown): string {
  if (value === undefined || value === null || value === '') return NONE;
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export function numberOr(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
