import type { CairnEvent } from '@cairn/events';
import type { NoMatchReason } from '../placement';
import type { ClusterState } from '../state';
import { endsTask } from '../tasks/task-states';
import { APPS_FRAMEWORK_ID } from './tick.decider';

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
      if (agentId !== undefined)
        state.offerFilters.set(`${APPS_FRAMEWORK_ID} ${agentId}`, Date.parse(event.data.refuseUntil));
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
