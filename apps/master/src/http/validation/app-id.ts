import { jsonString, ShapeCheck } from './json-shape';

/**
 * Marathon path ids (`/prod/web`): parse-layer pattern, semantic segment rules, and the
 * normalisation Marathon applies before storing (`PathId.canonicalPath`, notes §2.3).
 */

/** RAML `PathId` (stringTypes.raml): the parse layer's pattern, `error.pattern` when it fails. */
const RAML_PATH_ID =
  /^(\/?((\.\.)|(([a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])\.)*([a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9]))?($|\/))+$/;

/** `PathId.ID_PATH_SEGMENT_PATTERN`, quoted verbatim in Marathon's error message. */
const SEGMENT_PATTERN_SOURCE =
  '^(([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])\\.)*([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])|(\\.|\\.\\.)$';
// Java's `matches()` needs the whole segment to match either alternative; hence the outer group.
const SEGMENT_PATTERN = new RegExp(`^(?:${SEGMENT_PATTERN_SOURCE})$`);

const RESERVED_LAST_SEGMENTS = ['restart', 'tasks', 'versions', '.', '..'];

export const AppIdMessages = {
  segmentPattern: `must fully match regular expression '${SEGMENT_PATTERN_SOURCE}'`,
  reservedLastSegment: `must not end with any of the following reserved keywords: ${RESERVED_LAST_SEGMENTS.join(', ')}`,
  empty: 'Path must contain at least one path element',
  root: 'must not be root',
} as const;

/** The parse-layer check of an id field (type, non-empty, RAML pattern). */
export const jsonPathId: ShapeCheck = jsonString({ minLength: 1, pattern: RAML_PATH_ID });

/** Segments as Marathon's `PathId(String)` sees them: empty segments (`//`, trailing `/`) dropped. */
export function pathSegments(raw: string): string[] {
  return raw.split('/').filter((segment) => segment.length > 0);
}

/**
 * The semantic rules of one id (`PathId.pathIdValidator` + `nonEmptyPath`), reported at the id
 * field. Root itself is reported by the caller at `/` (Marathon's "must not be root").
 */
export function pathIdRuleErrors(raw: string): string[] {
  const segments = pathSegments(raw);
  if (segments.length === 0) return [AppIdMessages.empty];
  const errors: string[] = [];
  if (!segments.every((segment) => SEGMENT_PATTERN.test(segment))) errors.push(AppIdMessages.segmentPattern);
  if (RESERVED_LAST_SEGMENTS.includes(segments[segments.length - 1])) errors.push(AppIdMessages.reservedLastSegment);
  return errors;
}

export function isRootPath(raw: string): boolean {
  return pathSegments(raw).length === 0;
}

/**
 * The absolute, canonical form of an id: relative ids are resolved against `base` (the root
 * group unless given), `.` and `..` are resolved (`..` stops at the root, as in Marathon), and
 * there is no trailing slash. `web` → `/web`, `/prod/web/` → `/prod/web`, `../db` from `/prod` → `/db`.
 */
export function normaliseAppId(raw: string, base = '/'): string {
  const start = raw.startsWith('/') ? [] : pathSegments(base);
  const resolved = pathSegments(raw).reduce<string[]>((path, segment) => {
    if (segment === '.') return path;
    if (segment === '..') return path.slice(0, -1);
    return [...path, segment];
  }, start);
  return `/${resolved.join('/')}`;
}

/** The group an app id lives in: `/prod/web` → `/prod`, `/web` → `/`. */
export function parentOf(absoluteId: string): string {
  return normaliseAppId(`${absoluteId}/..`);
}
