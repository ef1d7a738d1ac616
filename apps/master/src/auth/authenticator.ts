import { timingSafeEqual } from 'node:crypto';
import type { AuthEntry, Role } from './auth-file';
import { credentialsOf } from './credentials';

export type Authentication =
  | { readonly ok: true; readonly name: string; readonly role: Role }
  | { readonly ok: false; readonly reason: 'missing' | 'malformed' | 'bad' };

/**
 * Checks presented credentials against the entries. Every token is compared in constant time and
 * all are tried (no early exit on the first byte that differs, nor on the first entry).
 */
export class Authenticator {
  private readonly entries: readonly { entry: AuthEntry; token: Buffer }[];

  constructor(entries: readonly AuthEntry[]) {
    this.entries = entries.map((entry) => ({ entry, token: Buffer.from(entry.token) }));
  }

  authenticate(authorization: string | undefined): Authentication {
    const credentials = credentialsOf(authorization);
    if (credentials === undefined) return { ok: false, reason: 'missing' };
    if (credentials === 'malformed') return { ok: false, reason: 'malformed' };
    const presented = Buffer.from(credentials.token);
    let match: AuthEntry | undefined;
    for (const { entry, token } of this.entries) {
      if (token.length === presented.length && timingSafeEqual(token, presented)) match = entry;
    }
    // Basic names the token's owner: the wrong name with a right token is a bad credential.
    if (!match || (credentials.name !== undefined && credentials.name !== match.name))
      return { ok: false, reason: 'bad' };
    return { ok: true, name: match.name, role: match.role };
  }
}
