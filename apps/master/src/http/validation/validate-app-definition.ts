import { plainToInstance } from 'class-transformer';
import { validateSync, ValidatorOptions } from 'class-validator';
import { AppIdMessages, isRootPath, jsonPathId, normaliseAppId, pathIdRuleErrors } from './app-id';
import { APP_DEFINITION_FIELDS, APP_INFO_ONLY_FIELDS, AppDefinitionDto } from './dto/app-definition.dto';
import { jsonBodyProblem } from './json-body';
import { JsonError } from './json-shape';
import { checkAppRules } from './rules/app.rules';
import { checkIds, normaliseDependencies } from './rules/app-id.rules';
import { checkHealthAndReadiness } from './rules/check.rules';
import { constraintViolation } from './rules/constraint.rules';
import { checkPorts } from './rules/port.rules';
import { RuleMessages } from './rules/rule-messages';
import type { RuleScope } from './rules/rule-scope';
import {
  collectValidationErrors,
  DetailsCollector,
  INVALID_JSON_MESSAGE,
  OBJECT_NOT_VALID_MESSAGE,
  ValidationDetail,
} from './validation-details';

export interface AppValidationOptions {
  /** `create`: POST /v2/apps (the body's id is required). `update`: PUT /v2/apps/{pathId}. */
  readonly mode: 'create' | 'update';
  /** The id from the URL (update mode), as given: leading slash optional. */
  readonly pathId?: string;
  /** Marathon's default partial update (`partialUpdate=true`): every field optional, only present ones judged. */
  readonly partial?: boolean;
}

export type AppValidationFailure = { ok: false; message: string; details: ValidationDetail[] };
export type AppValidationResult =
  | { ok: true; app: Record<string, unknown>; rollbackTo?: undefined; ignoredFields: string[] }
  /** A partial update holding only `id` and `version`: roll the app back to that stored version. */
  | { ok: true; app: Record<string, unknown>; rollbackTo: string; ignoredFields: string[] }
  | AppValidationFailure;
export type PathIdValidationResult = { ok: true; id: string } | AppValidationFailure;

const VALIDATOR_OPTIONS: ValidatorOptions = {
  // Each property has exactly one shape check, so a property reports one kind of error; nested
  // DTOs are validated even next to a failed shape check, so every array element is judged.
  stopAtFirstError: false,
  forbidUnknownValues: true,
  validationError: { target: false, value: true },
};

/**
 * Validates an AppDefinition body the way Marathon does (notes §2.3): first the parse layer
 * (types, bounds, patterns; 422 "Invalid JSON" with play-json keys), then, only if that passes,
 * the semantic rules (422 "Object is not valid" with Marathon's messages).
 *
 * On success `app` is the body as sent, with the id (and relative dependencies) normalised to
 * absolute paths, known fields sent as `null` dropped (null means "not given" to Marathon), and
 * the server-owned `version`, `versionInfo` and GET-only fields (`tasks`, `deployments`, ...)
 * dropped. Unknown top-level fields are dropped and named in `ignoredFields` (Marathon's readers
 * ignore them). In update mode `app.id` is the path id.
 *
 * With `partial`, rules that need fields a patch may omit are skipped; validate the merged
 * result again (mode `create`, which requires its id) to judge the whole app.
 */
export function validateAppDefinition(body: unknown, options: AppValidationOptions): AppValidationResult {
  const problem = jsonBodyProblem(body);
  if (problem !== undefined) return failure(INVALID_JSON_MESSAGE, [{ path: '/', errors: [problem] }]);
  const { kept: input, ignoredFields } = withoutIgnoredFields(body as Record<string, unknown>);

  let pathId: string | undefined;
  if (options.mode === 'update') {
    const checked = validatePathId(options.pathId ?? '');
    if (!checked.ok) return checked;
    pathId = checked.id;
  }

  const parse = new DetailsCollector();
  if (options.mode === 'create' && input.id === undefined) parse.add('/id', JsonError.missing);
  collectValidationErrors(validateSync(plainToInstance(AppDefinitionDto, input), VALIDATOR_OPTIONS), parse);
  if (!parse.isEmpty) return failure(INVALID_JSON_MESSAGE, parse.toDetails());

  // The parse layer passed, so the body now has the DTO's shape.
  const app = input as AppDefinitionDto;
  const partial = options.mode === 'update' && options.partial === true;
  if (partial && app.version !== undefined) {
    const rollback = versionRequest(input, app.version, pathId!);
    return rollback.ok ? { ...rollback, ignoredFields } : rollback;
  }

  const rules = new DetailsCollector();
  const scope: RuleScope = { wholeApp: !partial };
  const id = checkIds(app, pathId, rules);
  checkAppRules(app, rules, scope);
  checkPorts(app, rules);
  checkHealthAndReadiness(app, rules, scope);
  app.constraints?.forEach((constraint, index) => {
    const violation = constraintViolation(constraint);
    if (violation !== undefined) rules.add(`/constraints(${index})`, violation);
  });
  if (!rules.isEmpty) return failure(OBJECT_NOT_VALID_MESSAGE, rules.toDetails());
  return { ok: true, app: acceptedApp(input, id), ignoredFields };
}

/**
 * Validates an app id taken from a URL (`prod/web`, `/prod/web/`) and returns it normalised
 * (`/prod/web`). Failures have the same shape as body failures, at path `/id`, because Marathon
 * validates the path id as the app's id.
 */
export function validatePathId(raw: string): PathIdValidationResult {
  const shapeErrors = jsonPathId(raw);
  if (shapeErrors.length > 0) {
    return failure(INVALID_JSON_MESSAGE, [{ path: '/id', errors: shapeErrors.map((e) => e.error) }]);
  }
  const rules = new DetailsCollector();
  for (const error of pathIdRuleErrors(raw)) rules.add('/id', error);
  if (isRootPath(raw)) rules.add('/', AppIdMessages.root);
  if (!rules.isEmpty) return failure(OBJECT_NOT_VALID_MESSAGE, rules.toDetails());
  return { ok: true, id: normaliseAppId(raw) };
}

/**
 * A partial update carrying `version`: Marathon's request to roll back to that stored version,
 * allowed only together with `id`.
 */
function versionRequest(
  input: Record<string, unknown>,
  version: string,
  pathId: string,
): { ok: true; app: Record<string, unknown>; rollbackTo: string } | AppValidationFailure {
  const others = Object.keys(input).filter(
    (key) => APP_DEFINITION_FIELDS.has(key) && key !== 'id' && key !== 'version',
  );
  if (others.length > 0)
    return failure(OBJECT_NOT_VALID_MESSAGE, [{ path: '/', errors: [RuleMessages.versionOnlyWithId] }]);
  return { ok: true, app: { id: pathId }, rollbackTo: version };
}

/**
 * Drops what Marathon's reader ignores: `null` for a known field ("not given"), GET-only fields,
 * and top-level fields it does not know (named in `ignoredFields`, so the caller can warn: a
 * misspelt `healthcheck` must not pass silently).
 */
function withoutIgnoredFields(body: Record<string, unknown>): {
  kept: Record<string, unknown>;
  ignoredFields: string[];
} {
  const kept: Record<string, unknown> = {};
  const ignoredFields: string[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (APP_INFO_ONLY_FIELDS.has(key)) continue;
    if (!APP_DEFINITION_FIELDS.has(key)) {
      ignoredFields.push(key);
      continue;
    }
    if (value === null) continue;
    kept[key] = value;
  }
  return { kept, ignoredFields };
}

function acceptedApp(input: Record<string, unknown>, id: string): Record<string, unknown> {
  // Cloned so the caller owns the result; jsonBodyProblem has established it is plain JSON data.
  const { id: _id, version: _version, versionInfo: _versionInfo, ...rest } = structuredClone(input);
  const app: Record<string, unknown> = { id, ...rest };
  if (Array.isArray(app.dependencies)) app.dependencies = normaliseDependencies(app.dependencies as string[], id);
  return app;
}

function failure(message: string, details: ValidationDetail[]): AppValidationFailure {
  return { ok: false, message, details };
}
