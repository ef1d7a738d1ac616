/**
 * `path?key=value&...` for the parameters that are set; `undefined` ones are left out so the
 * master applies its own default (Marathon's defaults differ per endpoint: `force` on DELETE
 * /v2/apps is true, elsewhere false).
 */
export function withQuery(path: string, params: Readonly<Record<string, string | boolean | undefined>>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) query.set(key, String(value));
  const text = query.toString();
  return text === '' ? path : `${path}?${text}`;
}

/** `force=true` when the flag is given, else nothing (the endpoint's default, false, applies). */
export function forceParam(force: boolean | undefined): { force?: true } {
  return force ? { force: true } : {};
}
