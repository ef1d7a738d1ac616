import { parseResources } from '../../resources';
import { AgentSlot, FrameworkDemand, OfferDraft } from '../allocate';
import { OfferFilter } from '../offer-filters';

/**
 * Builders for allocator scenarios in the style of Mesos's `hierarchical_allocator_tests.cpp`:
 *
 *   agent('a1', 'cpus:2;mem:1024'), framework('f1', { allocated: 'cpus:1' }), filter('f1', 'a1', T0 + 5_000)
 */
export function agent(agentId: string, free: string, options: { active?: boolean } = {}): AgentSlot {
  return { agentId, free: parseResources(free), active: options.active ?? true };
}

export function framework(
  frameworkId: string,
  options: { role?: string; weight?: number; allocated?: string; suppressed?: boolean } = {},
): FrameworkDemand {
  return {
    frameworkId,
    role: options.role ?? '*',
    weight: options.weight ?? 1,
    allocated: parseResources(options.allocated ?? ''),
    suppressed: options.suppressed ?? false,
  };
}

export function filter(frameworkId: string, agentId: string, until: number): OfferFilter {
  return { frameworkId, agentId, until };
}

/** Offers as short lines, `a1 -> f1`, so a scenario reads like its narration. */
export function routes(offers: readonly OfferDraft[]): string[] {
  return offers.map((offer) => `${offer.agentId} -> ${offer.frameworkId}`);
}
