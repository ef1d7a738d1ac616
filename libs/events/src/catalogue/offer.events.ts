import { z } from 'zod';
import { resourcesSchema } from './agent.events';

/** One allocation pass's offers (many offers share one event). Key: `offers`. */
export const offersMadeV1 = z.object({
  offers: z.array(
    z.object({
      offerId: z.string().min(1),
      frameworkId: z.string().min(1),
      agentId: z.string().min(1),
      resources: resourcesSchema,
    }),
  ),
});

/** The framework used an offer to launch tasks (the TaskLaunched events follow). */
export const offerAcceptedV1 = z.object({
  offerId: z.string().min(1),
  taskIds: z.array(z.string().min(1)),
});

const noMatchReasonSchema = z.looseObject({ reason: z.string().min(1) });

/** The framework used nothing of an offer; it will not see that agent before `refuseUntil`. */
export const offerDeclinedV1 = z.object({
  offerId: z.string().min(1),
  refuseUntil: z.string().datetime({ offset: true }),
  /** Why each waiting app did not fit, with the numbers (for /v2/queue). */
  reasons: z.record(z.string(), z.array(noMatchReasonSchema)),
});

/**
 * Every offer of one allocation pass that nothing was launched from, in one record (format level
 * 3; below it, one OfferDeclined per offer). The framework will not see those agents before
 * `refuseUntil`. `reasons`: for each app the pass left waiting, why the last declined offer that
 * named it did not fit, as /v2/queue shows it. Key: `offers`.
 */
export const offersDeclinedV1 = z.object({
  refuseUntil: z.string().datetime({ offset: true }),
  offers: z.array(z.object({ offerId: z.string().min(1), agentId: z.string().min(1) })).min(1),
  reasons: z.record(z.string(), z.array(noMatchReasonSchema)),
});

/** An app's next launch waits (Marathon's backoff after failures). Key: the app id. */
export const launchDelayedV1 = z.object({
  appId: z.string().startsWith('/'),
  failures: z.number().int().min(1),
  until: z.string().datetime({ offset: true }),
});

/**
 * Marathon's DELETE /v2/queue/{id}/delay: the app's backoff is cleared, so its next launch is
 * immediate; the next failure counts from one again. Key: the app id.
 */
export const launchDelayResetV1 = z.object({ appId: z.string().startsWith('/') });
