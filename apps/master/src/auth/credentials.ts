/** What a request presented: a token, and for HTTP Basic the name it claims. */
export interface Credentials {
  readonly token: string;
  readonly name?: string;
}

/**
 * The ways Marathon's clients present credentials, from the Authorization header:
 * - `Bearer T` (the CLI, agents, most HTTP clients);
 * - `token=T` (what the Python `marathon` client sends with `auth_token`, DC/OS's ACS style);
 * - `Basic base64(name:T)` (Marathon's `--http_credentials`: the token's name as user, the token as password).
 * Undefined when there is no header; 'malformed' when there is one in none of those forms.
 */
export function credentialsOf(header: string | undefined): Credentials | undefined | 'malformed' {
  if (header === undefined || header.trim() === '') return undefined;
  const value = header.trim();
  const space = value.indexOf(' ');
  const scheme = (space < 0 ? value : value.slice(0, space)).toLowerCase();
  const rest = space < 0 ? '' : value.slice(space + 1).trim();
  if (scheme === 'bearer' && rest) return { token: rest };
  if (value.toLowerCase().startsWith('token=') && value.length > 'token='.length) {
    return { token: value.slice('token='.length).trim() };
  }
  if (scheme === 'basic' && rest) {
    const decoded = Buffer.from(rest, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0 && colon < decoded.length - 1)
      return { name: decoded.slice(0, colon), token: decoded.slice(colon + 1) };
  }
  return 'malformed';
}
