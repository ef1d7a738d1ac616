import { z } from 'zod';
import {
  healthCheckSpecSchema,
  readinessCheckSpecSchema,
  type HealthCheckSpec,
  type ReadinessCheckSpec,
} from '../protocol/agent-protocol';

const checkpointedChecksSchema = z.object({
  healthChecks: z.array(healthCheckSpecSchema).default([]),
  readinessChecks: z.array(readinessCheckSpecSchema).default([]),
});

/**
 * The checks a checkpointed spec carries (launch-spec.ts puts them there). Read with the launch's
 * schemas: the checkpoint may come from another agent version.
 */
export function checksOfSpec(
  spec: unknown,
):
  { ok: true; healthChecks: HealthCheckSpec[]; readinessChecks: ReadinessCheckSpec[] } | { ok: false; reason: string } {
  const parsed = checkpointedChecksSchema.safeParse(spec);
  if (!parsed.success) return { ok: false, reason: z.prettifyError(parsed.error) };
  return { ok: true, ...parsed.data };
}
