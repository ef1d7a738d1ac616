import type { CairnEvent } from '@cairn/events';
import type { NoMatchReason } from '../placement';
import type { ClusterState } from '../state';
import { endsTask } from '../tasks/task-states';
import { APPS_FRAMEWORK_ID } from './tick.decider';

/** The cluster version from which a finished deployment step revives offers (see format-level.ts). */
export const REVIVE_ON_STEP_LEVEL = 3;

/*
 * Declines are three quarters of a busy log, so folding one is kept cheap: memos of two pure
 * functions (the same inputs give the same outputs; nothing else depends on them).
 */
const filterKeys = new Map<string, string>();
const FILTER_KEYS_MAX = 100_000;

/** `${frameworkId} ${agentId}`, built once per agent rather than once per decline. */
function filterKey(agentId: string): string {
  let key = filterKeys.get(agentId);
  if (key === undefined) {
    key = `${APPS_FRAMEWORK_ID} ${agentId}`;
    if (filterKeys.size < FILTER_KEYS_MAX) filterKeys.set(agentId, key);
  }
  return key;
}

let lastRefuseUntil = '';
let lastRefuseUntilMs = Number.NaN;

/** Date.parse, remembering the last answer: the declines of one allocation pass share their time. */
function refuseUntilMs(text: string): number {
  if (text !== lastRefuseUntil) {
    lastRefuseUntilMs = Date.parse(text);
    lastRefuseUntil = text;
  }
  return lastRefuseUntilMs;
}

/**
 * Offers, filters and queue reasons. The app scheduler answers every offer in the decision that
 * made it, so outstanding offers live only between OffersMade and its answers (same batch).
 */
export function evolveOffers(state: ClusterState, event: CairnEvent): void {
  switch (event.type) {
    case 'OffersMade': {
      const at = Date.parse(event.at);
      for (const [key, until] of state.offerFilters) if (until <= at) state.offerFilters.delete(key);
      for (const offer of event.data.offers) state.pendingOffers.set(offer.offerId, offer.agentId);
      return;
    }
    case 'OfferAccepted':
      state.pendingOffers.delete(event.data.offerId);
      return;
    case 'OfferDeclined': {
      const agentId = state.pendingOffers.get(event.data.offerId);
      state.pendingOffers.delete(event.data.offerId);
      if (agentId !== undefined) state.offerFilters.set(filterKey(agentId), refuseUntilMs(event.data.refuseUntil));
      for (const [appId, reasons] of Object.entries(event.data.reasons)) {
        state.queueReasons.set(appId, reasons as unknown as NoMatchReason[]);
      }
      return;
    }
    case 'OffersDeclined': {
      // The same fold as the OfferDeclined per offer it stands for (the reasons are the last of each app's).
      const until = refuseUntilMs(event.data.refuseUntil);
      for (const { offerId, agentId } of event.data.offers) {
        state.pendingOffers.delete(offerId);
        state.offerFilters.set(filterKey(agentId), until);
      }
      for (const [appId, reasons] of Object.entries(event.data.reasons)) {
        state.queueReasons.set(appId, reasons as unknown as NoMatchReason[]);
      }
      return;
    }
    case 'TaskLaunched':
      state.queueReasons.delete(event.data.appId);
      return;
    // New demand or freed resources: the app scheduler revives (its filters are dropped).
    case 'AppCreated':
    case 'AppUpdated':
    case 'AppScaled':
    case 'AppRestartRequested':
    case 'DeploymentStarted':
      if (state.offerFilters.size > 0) state.offerFilters.clear();
      return;
    // The next step's apps want launches now (their dependencies are done): revive. From format
    // level 3 only, so that a log written before folds as it always did (its recorded hashes hold).
    case 'DeploymentStepFinished':
      if (state.clusterVersion >= REVIVE_ON_STEP_LEVEL && state.offerFilters.size > 0) state.offerFilters.clear();
      return;
    case 'AppDeleted':
      state.queueReasons.delete(event.data.appId);
      return;
    case 'TaskStatusUpdated':
      if (endsTask(event.data.state) && state.offerFilters.size > 0) state.offerFilters.clear();
      return;
    default:
      return;
  }
}
