import { AppIdMessages, isRootPath, normaliseAppId, parentOf, pathIdRuleErrors, pathSegments } from '../app-id';
import type { AppDefinitionDto } from '../dto/app-definition.dto';
import type { DetailsCollector } from '../validation-details';

export const IdMessages = {
  mismatch: (bodyId: string, pathId: string) =>
    `the id in the body (${bodyId}) differs from the id in the path (${pathId}); omit it or make them equal`,
} as const;

/**
 * The semantic id rules of the app's own id and its dependencies. Returns the normalised app
 * id (the path id in an update).
 */
export function checkIds(app: AppDefinitionDto, pathId: string | undefined, details: DetailsCollector): string {
  let id = pathId;
  if (app.id !== undefined) {
    for (const error of pathIdRuleErrors(app.id)) details.add('/id', error);
    if (isRootPath(app.id)) details.add('/', AppIdMessages.root);
    const bodyId = normaliseAppId(app.id);
    if (pathId !== undefined && bodyId !== pathId) details.add('/id', IdMessages.mismatch(bodyId, pathId));
    id ??= bodyId;
  }
  // A dependency may be the root group: only segment and keyword rules apply (Marathon's `every(valid)`).
  app.dependencies?.forEach((dependency, index) => {
    if (pathSegments(dependency).length === 0) return;
    for (const error of pathIdRuleErrors(dependency)) details.add(`/dependencies(${index})`, error);
  });
  return id ?? '/';
}

/** Dependencies are stored absolute; a relative one is relative to the app's group (Marathon's canonizing). */
export function normaliseDependencies(dependencies: readonly string[], appId: string): string[] {
  const group = parentOf(appId);
  return dependencies.map((dependency) => normaliseAppId(dependency, group));
}
