import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../config/cairn-config';

/**
 * Who may use the API: roles `admin` (reads and writes), `viewer` (reads) and `agent` (the agent
 * API only). Marathon's `--http_credentials` gives one user; Cairn names each token, and the name
 * is the actor recorded in the events a request causes.
 */
export type Role = 'admin' | 'viewer' | 'agent';

export interface AuthEntry {
  readonly name: string;
  readonly role: Role;
  readonly token: string;
}

/** Tokens shorter than this are refused: they could be guessed. */
export const TOKEN_MIN_LENGTH = 16;

const entrySchema = z.object({
  name: z
    .string()
    .regex(/^[A-Za-z0-9._@-]{1,100}$/, 'a name is 1-100 of letters, digits and . _ @ - (it is the actor in events)'),
  role: z.enum(['admin', 'viewer', 'agent']),
  token: z
    .string()
    .min(TOKEN_MIN_LENGTH, `a token has at least ${TOKEN_MIN_LENGTH} characters`)
    .regex(/^[\x21-\x7e]+$/, 'a token is printable ASCII without spaces'),
});

/**
 * Reads CAIRN_AUTH_FILE: `[{"name": "ops", "role": "admin", "token": "…"}]`. A file that cannot be
 * read, is not that shape, or names a name or token twice stops the master at start (ConfigError),
 * naming the entry but never a token.
 */
export function readAuthFile(path: string): AuthEntry[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`CAIRN_AUTH_FILE ${path} cannot be read: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ConfigError(`CAIRN_AUTH_FILE ${path} is not JSON`);
  }
  if (!Array.isArray(raw) || raw.length === 0) {
    throw new ConfigError(
      `CAIRN_AUTH_FILE ${path} must be a JSON array of {name, role, token}, with at least one entry`,
    );
  }
  return checkEntries(
    raw.map((item, index) => {
      const parsed = entrySchema.safeParse(item);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new ConfigError(
          `CAIRN_AUTH_FILE ${path}, entry ${index}: ${issue.path.join('.') || 'entry'}: ${issue.message}`,
        );
      }
      return parsed.data;
    }),
    path,
  );
}

export function checkEntries(entries: AuthEntry[], source: string): AuthEntry[] {
  const names = new Set<string>();
  const tokens = new Set<string>();
  for (const entry of entries) {
    if (names.has(entry.name)) throw new ConfigError(`${source}: the name '${entry.name}' is given twice`);
    if (tokens.has(entry.token)) throw new ConfigError(`${source}: '${entry.name}' has the token of another entry`);
    names.add(entry.name);
    tokens.add(entry.token);
  }
  return entries;
}
