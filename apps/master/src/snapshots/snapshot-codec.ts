import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { constants, createGzip, gunzip } from 'node:zlib';
import { initialState, stateHash, type ClusterState, type StateView } from '@cairn/domain';
import type { VersionEntry } from '../core/app-versions';
import { Pacer } from '../core/pacing';

/**
 * Bumped whenever ClusterState's shape or meaning changes (a field added, a record's fields
 * renamed, evolve folding an event differently): a snapshot of an older format is skipped and the
 * master replays the log instead. snapshot-codec.spec.ts fails when the state's fields change, as
 * a reminder.
 */
export const SNAPSHOT_FORMAT = 2;

/** The first line of a snapshot body. */
export interface SnapshotHeader {
  readonly format: number;
  /** The last log offset folded in. */
  readonly offset: number;
  /** The id of the event at `offset`. */
  readonly eventId: string;
  /** Events folded in. */
  readonly events: number;
  /** The state hash (stateHash) at `offset`. */
  readonly hash: string;
}

export interface SnapshotContents {
  readonly header: SnapshotHeader;
  readonly state: ClusterState;
  readonly appVersions: [string, readonly VersionEntry[]][];
}

/** A body that cannot be decoded into a state, or decodes into one whose hash is not its header's. */
export class SnapshotFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotFormatError';
  }
}

/*
 * Body: gzip of newline-separated JSON. Line 1 is the header; then one line per entry, each an
 * array tagged by its first element:
 *   ["m", field, key, value]   an entry of a Map field of ClusterState
 *   ["s", field, member]       a member of a Set field
 *   ["v", field, value]        a scalar field
 *   ["a", appId, versions]     the app version index (kept beside the state, outside its hash)
 *   ["end", lines]             the count of lines before it: a truncated body is refused
 * One entry per line keeps every JSON.stringify and JSON.parse small (no 150 MB string), and the
 * writer can pause between any two lines.
 */
type Line =
  | ['m', string, string, unknown]
  | ['s', string, unknown]
  | ['v', string, unknown]
  | ['a', string, readonly VersionEntry[]]
  | ['end', number];

const GZIP_LEVEL = constants.Z_BEST_SPEED;
const WRITE_BATCH_BYTES = 256 * 1024;

/**
 * Writes a snapshot of `view` (taken with viewOf at `header.offset`) in slices that leave the
 * event loop free, compressing off the main thread.
 */
export async function encodeSnapshot(
  view: StateView,
  appVersions: readonly (readonly [string, readonly VersionEntry[]])[],
  header: SnapshotHeader,
  pacer = new Pacer(),
): Promise<{ body: Buffer; sha256: string }> {
  const gzip = createGzip({ level: GZIP_LEVEL });
  const out: Buffer[] = [];
  // Hashed as it comes out of the compressor, in small pieces, not in one pass over the whole body.
  const digest = createHash('sha256');
  gzip.on('data', (chunk: Buffer) => {
    out.push(chunk);
    digest.update(chunk);
  });
  const finished = new Promise<void>((resolve, reject) => {
    gzip.once('end', resolve);
    gzip.once('error', reject);
  });
  let pending: string[] = [];
  let pendingBytes = 0;
  let lines = 0;
  const flush = async () => {
    if (pending.length === 0) return;
    const ok = gzip.write(pending.join(''));
    pending = [];
    pendingBytes = 0;
    if (!ok) await new Promise<void>((resolve) => gzip.once('drain', resolve));
  };
  const push = async (line: unknown) => {
    const text = `${JSON.stringify(line)}\n`;
    pending.push(text);
    pendingBytes += text.length;
    lines++;
    if (pendingBytes >= WRITE_BATCH_BYTES) await flush();
    await pacer.turn();
  };

  await push(header);
  for (const [field, entries] of view.collections) {
    const isSet = initialState()[field as keyof ClusterState] instanceof Set;
    for (const [key, value] of entries) await push(isSet ? ['s', field, key] : ['m', field, key, value]);
  }
  for (const [field, value] of view.scalars) await push(['v', field, value]);
  for (const [appId, versions] of appVersions) await push(['a', appId, versions]);
  await push(['end', lines]);
  await flush();
  gzip.end();
  await finished;
  return { body: Buffer.concat(out), sha256: digest.digest('hex') };
}

/**
 * Reads a snapshot back into a state. With `verify` (the default) it then recomputes the state's
 * hash: a body that decodes but does not give the state it was written from (a bug in a format, a
 * field the codec does not carry) is refused like a corrupt one. A starting master skips that here
 * and checks the hash in the background instead (see MasterRuntime.start): it is the costliest
 * part of a load. Sliced when given a `pacer` (a master reading an old
 * state while it serves); a starting master runs it in one go, before it serves.
 */
export async function decodeSnapshot(
  body: Buffer,
  options: { verify?: boolean; pacer?: Pacer } = {},
): Promise<SnapshotContents> {
  const text = await promisify(gunzip)(body).catch((error: Error) => {
    throw new SnapshotFormatError(`not a gzip body: ${error.message}`);
  });
  const state = initialState() as unknown as Record<string, unknown>;
  const appVersions: [string, readonly VersionEntry[]][] = [];
  let header: SnapshotHeader | null = null;
  let lines = 0;
  let ended = false;
  for (let start = 0; start < text.length;) {
    // A master serving `GET /v1/state?at=` decodes while it leads: a turn of the event loop now and then.
    if (options.pacer && (lines & 255) === 0) await options.pacer.turn();
    let end = text.indexOf(0x0a, start);
    if (end < 0) end = text.length;
    const line = JSON.parse(text.toString('utf8', start, end)) as unknown;
    start = end + 1;
    if (ended) throw new SnapshotFormatError('lines after the end marker');
    if (header === null) {
      header = checkHeader(line);
      lines++;
      continue;
    }
    const entry = line as Line;
    switch (entry[0]) {
      case 'm':
        fieldOf<Map<string, unknown>>(state, entry[1], Map).set(entry[2], entry[3]);
        break;
      case 's':
        fieldOf<Set<unknown>>(state, entry[1], Set).add(entry[2]);
        break;
      case 'v':
        if (!(entry[1] in state) || state[entry[1]] instanceof Map || state[entry[1]] instanceof Set) {
          throw new SnapshotFormatError(`unknown scalar field '${entry[1]}'`);
        }
        state[entry[1]] = entry[2];
        break;
      case 'a':
        appVersions.push([entry[1], entry[2]]);
        break;
      case 'end':
        if (entry[1] !== lines) throw new SnapshotFormatError(`truncated: ${lines} lines, ${entry[1]} written`);
        ended = true;
        break;
      default:
        throw new SnapshotFormatError(`unknown line tag ${JSON.stringify(entry[0])}`);
    }
    lines++;
  }
  if (!header) throw new SnapshotFormatError('empty body');
  if (!ended) throw new SnapshotFormatError('truncated: no end marker');
  const decoded = state as unknown as ClusterState;
  const hash = options.verify === false ? header.hash : stateHash(decoded);
  if (hash !== header.hash) {
    throw new SnapshotFormatError(`decoded state hashes to ${hash}, the snapshot was written at ${header.hash}`);
  }
  return { header, state: decoded, appVersions };
}

function checkHeader(line: unknown): SnapshotHeader {
  const h = line as Partial<SnapshotHeader> | null;
  if (!h || typeof h !== 'object' || typeof h.format !== 'number') throw new SnapshotFormatError('no header');
  if (h.format !== SNAPSHOT_FORMAT) {
    throw new SnapshotFormatError(`format ${h.format}, this master reads format ${SNAPSHOT_FORMAT}`);
  }
  if (typeof h.offset !== 'number' || typeof h.eventId !== 'string' || typeof h.hash !== 'string') {
    throw new SnapshotFormatError('incomplete header');
  }
  return h as SnapshotHeader;
}

function fieldOf<T>(state: Record<string, unknown>, field: string, kind: typeof Map | typeof Set): T {
  const value = state[field];
  if (!(value instanceof kind)) throw new SnapshotFormatError(`unknown ${kind.name} field '${field}'`);
  return value as T;
}
