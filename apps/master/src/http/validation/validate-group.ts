import type { GroupSpecInput } from '@cairn/domain';
import { isPlainObject, JsonError } from './json-shape';
import { jsonBodyProblem } from './json-body';
import { isRootPath, normaliseAppId, parentOf, pathIdRuleErrors, pathSegments } from './app-id';
import { validateAppDefinition } from './validate-app-definition';
import {
  DetailsCollector,
  INVALID_JSON_MESSAGE,
  OBJECT_NOT_VALID_MESSAGE,
  type ValidationDetail,
} from './validation-details';

/**
 * Marathon's GroupUpdate body (POST, PUT and PATCH /v2/groups): a change of the group and its
 * children, or `scaleBy` alone, or `version` alone (go back to that version). Ids and
 * dependencies may be relative: a child's id to its group, a dependency to the group it is in.
 */
export type GroupValidationResult =
  | { ok: true; kind: 'change'; group: GroupSpecInput }
  | { ok: true; kind: 'scale'; scaleBy: number }
  | { ok: true; kind: 'revert'; version: string }
  | { ok: false; message: string; details: ValidationDetail[] };

export interface GroupValidationOptions {
  /** `create`: POST (the body names the new group, relative to `base`). Else the group is `base`. */
  readonly mode: 'create' | 'update' | 'patch';
  /** The group the URL names (the root for /v2/groups). */
  readonly base: string;
}

const GROUP_FIELDS = new Set(['id', 'apps', 'groups', 'dependencies', 'enforceRole', 'scaleBy', 'version', 'pods']);
/** Fields that only say what a GET showed: a client sending a group back unchanged may carry them. */
const CHANGE_FIELDS = ['apps', 'groups', 'dependencies', 'enforceRole'];

export const GroupMessages = {
  unknownField: 'error.unknown.field (not a field of a Marathon group)',
  pods: 'pods are not supported by Cairn: run them as apps',
  exclusive: 'scaleBy, version and a change of the group (apps, groups, dependencies, enforceRole) exclude each other',
  scaleBy: 'scaleBy must be a number of at least 0',
  notChild: (id: string, group: string) => `identifier ${id} is not child of ${group}`,
  idMismatch: (id: string, group: string) => `the body's id ${id} is not the group of the URL ${group}`,
  root: 'a group created by POST cannot be the root group',
  duplicateApp: (id: string) => `app ${id} is given more than once`,
  duplicateGroup: (id: string) => `group ${id} is given more than once`,
} as const;

/** Collects errors, remembering whether all of them came from the parse layer (types, shapes). */
class GroupDetails extends DetailsCollector {
  parseOnly = true;

  rule(path: string, error: string): void {
    this.parseOnly = false;
    this.add(path, error);
  }
}

export function validateGroupUpdate(body: unknown, options: GroupValidationOptions): GroupValidationResult {
  const problem = jsonBodyProblem(body);
  if (problem !== undefined) return failure(INVALID_JSON_MESSAGE, [{ path: '/', errors: [problem] }]);
  const input = body as Record<string, unknown>;
  const details = new GroupDetails();
  const id = groupIdOf(input, options, details);
  if (!details.isEmpty) return failure(OBJECT_NOT_VALID_MESSAGE, details.toDetails());

  const changes = CHANGE_FIELDS.filter((field) => input[field] !== undefined);
  const special = ['scaleBy', 'version'].filter((field) => input[field] !== undefined);
  if (special.length > 1 || (special.length === 1 && changes.length > 0)) {
    return failure(OBJECT_NOT_VALID_MESSAGE, [{ path: '/', errors: [GroupMessages.exclusive] }]);
  }
  if (input.scaleBy !== undefined && options.mode !== 'create') {
    const { scaleBy } = input;
    if (typeof scaleBy !== 'number' || !Number.isFinite(scaleBy) || scaleBy < 0) {
      return failure(INVALID_JSON_MESSAGE, [{ path: '/scaleBy', errors: [GroupMessages.scaleBy] }]);
    }
    checkUnknownFields(input, '', details);
    if (!details.isEmpty) return failure(OBJECT_NOT_VALID_MESSAGE, details.toDetails());
    return { ok: true, kind: 'scale', scaleBy };
  }
  if (input.version !== undefined && options.mode === 'update') {
    if (typeof input.version !== 'string' || Number.isNaN(Date.parse(input.version))) {
      return failure(INVALID_JSON_MESSAGE, [{ path: '/version', errors: [JsonError.dateTime] }]);
    }
    checkUnknownFields(input, '', details);
    if (!details.isEmpty) return failure(OBJECT_NOT_VALID_MESSAGE, details.toDetails());
    return { ok: true, kind: 'revert', version: input.version };
  }
  const group = groupSpec(input, id, options.mode === 'patch', '', details);
  if (!details.isEmpty)
    return failure(details.parseOnly ? INVALID_JSON_MESSAGE : OBJECT_NOT_VALID_MESSAGE, details.toDetails());
  return { ok: true, kind: 'change', group };
}

/** The group a body is about: POST names a new group relative to the URL's; PUT and PATCH the URL's. */
function groupIdOf(input: Record<string, unknown>, options: GroupValidationOptions, details: GroupDetails): string {
  const raw = input.id;
  if (raw === undefined) {
    if (options.mode === 'create') details.add('/id', JsonError.missing);
    return options.base;
  }
  if (typeof raw !== 'string') {
    details.add('/id', JsonError.string);
    return options.base;
  }
  const id = normaliseAppId(raw, options.base);
  if (!isRootPath(raw)) for (const error of pathIdRuleErrors(raw)) details.rule('/id', error);
  if (options.mode === 'create' && id === '/') details.rule('/id', GroupMessages.root);
  if (options.mode !== 'create' && id !== options.base) details.rule('/id', GroupMessages.idMismatch(id, options.base));
  return id;
}

function groupSpec(
  input: Record<string, unknown>,
  id: string,
  partial: boolean,
  at: string,
  details: GroupDetails,
): GroupSpecInput {
  checkUnknownFields(input, at, details);
  if (input.pods !== undefined && !(Array.isArray(input.pods) && input.pods.length === 0)) {
    details.rule(`${at}/pods`, GroupMessages.pods);
  }
  const spec: { -readonly [K in keyof GroupSpecInput]: GroupSpecInput[K] } = { id };
  if (input.enforceRole !== undefined) {
    if (typeof input.enforceRole === 'boolean') spec.enforceRole = input.enforceRole;
    else details.add(`${at}/enforceRole`, JsonError.boolean);
  }
  if (input.dependencies !== undefined && input.dependencies !== null) {
    spec.dependencies = dependenciesOf(input.dependencies, id, at, details);
  }
  if (input.apps !== undefined && input.apps !== null) spec.apps = appsOf(input.apps, id, partial, at, details);
  if (input.groups !== undefined && input.groups !== null) {
    spec.groups = groupsOf(input.groups, id, partial, at, details);
  }
  return spec;
}

function checkUnknownFields(input: Record<string, unknown>, at: string, details: GroupDetails): void {
  for (const field of Object.keys(input)) {
    if (!GROUP_FIELDS.has(field)) details.rule(`${at}/${field}`, GroupMessages.unknownField);
  }
}

/** Absolute dependencies; a relative one is relative to the group the dependent group is in. */
function dependenciesOf(raw: unknown, groupId: string, at: string, details: GroupDetails): string[] {
  if (!Array.isArray(raw)) {
    details.add(`${at}/dependencies`, JsonError.array);
    return [];
  }
  const resolved: string[] = [];
  raw.forEach((dependency, index) => {
    if (typeof dependency !== 'string') return details.add(`${at}/dependencies(${index})`, JsonError.string);
    if (pathSegments(dependency).length > 0) {
      for (const error of pathIdRuleErrors(dependency)) details.rule(`${at}/dependencies(${index})`, error);
    }
    resolved.push(normaliseAppId(dependency, parentOf(groupId)));
  });
  return resolved;
}

/** Each app validated as a whole definition (PUT, POST) or a patch (PATCH), its id made absolute. */
function appsOf(raw: unknown, groupId: string, partial: boolean, at: string, details: GroupDetails) {
  if (!Array.isArray(raw)) {
    details.add(`${at}/apps`, JsonError.array);
    return [];
  }
  const apps: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  raw.forEach((item: unknown, index) => {
    const path = `${at}/apps(${index})`;
    if (!isPlainObject(item)) return details.add(path, JsonError.object);
    const rawId = item.id;
    if (typeof rawId !== 'string')
      return details.add(`${path}/id`, rawId === undefined ? JsonError.missing : JsonError.string);
    const appId = normaliseAppId(rawId, groupId);
    if (parentOf(appId) !== groupId) return details.rule(`${path}/id`, GroupMessages.notChild(appId, groupId));
    if (seen.has(appId)) return details.rule(`${path}/id`, GroupMessages.duplicateApp(appId));
    seen.add(appId);
    const checked = validateAppDefinition(
      { ...item, id: appId },
      partial ? { mode: 'update', pathId: appId, partial: true } : { mode: 'create' },
    );
    if (!checked.ok) {
      for (const detail of checked.details) {
        for (const error of detail.errors) {
          const where = `${path}${detail.path === '/' ? '' : detail.path}`;
          if (checked.message === INVALID_JSON_MESSAGE) details.add(where, error);
          else details.rule(where, error);
        }
      }
      return;
    }
    if (checked.rollbackTo !== undefined) return details.rule(`${path}/version`, 'an app in a group cannot roll back');
    apps.push(checked.app);
  });
  return apps;
}

function groupsOf(raw: unknown, groupId: string, partial: boolean, at: string, details: GroupDetails) {
  if (!Array.isArray(raw)) {
    details.add(`${at}/groups`, JsonError.array);
    return [];
  }
  const groups: GroupSpecInput[] = [];
  const seen = new Set<string>();
  raw.forEach((item: unknown, index) => {
    const path = `${at}/groups(${index})`;
    if (!isPlainObject(item)) return details.add(path, JsonError.object);
    const rawId = item.id;
    if (typeof rawId !== 'string')
      return details.add(`${path}/id`, rawId === undefined ? JsonError.missing : JsonError.string);
    for (const error of pathIdRuleErrors(rawId)) details.rule(`${path}/id`, error);
    const childId = normaliseAppId(rawId, groupId);
    if (childId === '/' || parentOf(childId) !== groupId) {
      return details.rule(`${path}/id`, GroupMessages.notChild(childId, groupId));
    }
    if (seen.has(childId)) return details.rule(`${path}/id`, GroupMessages.duplicateGroup(childId));
    seen.add(childId);
    if (item.scaleBy !== undefined || item.version !== undefined) {
      return details.rule(path, 'scaleBy and version apply to the group of the URL only');
    }
    groups.push(groupSpec(item, childId, partial, path, details));
  });
  return groups;
}

function failure(message: string, details: ValidationDetail[]): GroupValidationResult {
  return { ok: false, message, details };
}
