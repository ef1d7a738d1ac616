import type { CommandMeta } from '../command';

/** Create an app from a validated Marathon AppDefinition body (id absolute and normalised). */
export interface CreateApp {
  readonly kind: 'CreateApp';
  readonly app: Record<string, unknown>;
  /** Cancel the deployments that lock the app instead of refusing (409). */
  readonly force: boolean;
  readonly meta: CommandMeta;
}

/**
 * Marathon's PUT /v2/apps/{id}: create the app if it does not exist; otherwise `partial`
 * (Marathon's default) merges the body's top-level fields onto the current definition, and
 * a full update replaces it (defaults filled again).
 */
export interface UpdateApp {
  readonly kind: 'UpdateApp';
  readonly appId: string;
  readonly body: Record<string, unknown>;
  readonly partial: boolean;
  readonly force: boolean;
  /** PATCH /v2/apps/{id}: the app must exist (404), it is never created. */
  readonly mustExist?: boolean;
  readonly meta: CommandMeta;
}

/**
 * Marathon's PUT /v2/apps (create or update, `partial` by default) and PATCH /v2/apps (`mustExist`):
 * many apps changed in ONE deployment, its steps ordered by the apps' dependencies.
 */
export interface UpdateApps {
  readonly kind: 'UpdateApps';
  readonly apps: readonly { readonly appId: string; readonly body: Record<string, unknown> }[];
  readonly partial: boolean;
  readonly force: boolean;
  readonly mustExist: boolean;
  readonly meta: CommandMeta;
}

/** DELETE /v2/apps/{id}: Marathon's `force` defaults to true here. */
export interface DeleteApp {
  readonly kind: 'DeleteApp';
  readonly appId: string;
  readonly force: boolean;
  readonly meta: CommandMeta;
}

export type AppCommand = CreateApp | UpdateApp | UpdateApps | DeleteApp;
