import { z } from 'zod';
import { appDefinitionSchema } from './app-definition.schema';

/** A new app, defaults filled and version assigned. Key: the app id. */
export const appCreatedV1 = z.object({ app: appDefinitionSchema });

/** A new version of an app's spec (the whole spec, not a diff). Key: the app id. */
export const appUpdatedV1 = z.object({ app: appDefinitionSchema });

/** v1 (never written by a release, kept to prove the upcasting path): the count alone. */
export const appScaledV1 = z.object({
  appId: z.string().startsWith('/'),
  instances: z.number().int().min(0),
});

/** Only the instance count changed: the config version stays, versionInfo.lastScalingAt moves. */
export const appScaledV2 = appScaledV1.extend({ lastScalingAt: z.string().datetime({ offset: true }) });

/** The app is gone. */
export const appDeletedV1 = z.object({ appId: z.string().startsWith('/') });
