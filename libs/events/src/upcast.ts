import { EventEnvelope } from './envelope';

/**
 * Upcasters lift an old version's data to the next version when it is read. Each one moves
 * exactly one step (v -> v+1) and may use the envelope (e.g. its `at`) to fill what the old
 * shape lacked. The log itself is never rewritten.
 */
export interface Upcaster {
  readonly type: string;
  readonly from: number;
  up(data: unknown, envelope: EventEnvelope): unknown;
}

export const upcasters: readonly Upcaster[] = [
  {
    // AppScaled v1 had no lastScalingAt; the scale happened when the event was decided.
    type: 'AppScaled',
    from: 1,
    up: (data, envelope) => ({ ...(data as object), lastScalingAt: envelope.at }),
  },
  {
    // TaskLaunched v1 tasks were launched without checks (the agent ran none before v2).
    type: 'TaskLaunched',
    from: 1,
    up: (data) => ({ ...(data as object), healthChecks: [], readinessChecks: [], placement: null }),
  },
  {
    // TaskLaunched v2 tasks fetched nothing (the agent had no fetcher before v3).
    type: 'TaskLaunched',
    from: 2,
    up: (data) => ({ ...(data as object), fetch: [] }),
  },
];

const byStep = new Map(upcasters.map((u) => [`${u.type}@${u.from}`, u]));

/** Upcasts `envelope` step by step to `target`; throws if a step is missing. */
export function upcastTo(envelope: EventEnvelope, target: number): EventEnvelope {
  let current = envelope;
  while (current.v < target) {
    const step = byStep.get(`${current.type}@${current.v}`);
    if (!step) throw new Error(`no upcaster for ${current.type} v${current.v} -> v${current.v + 1}`);
    current = { ...current, v: current.v + 1, data: step.up(current.data, current) };
  }
  return current;
}
