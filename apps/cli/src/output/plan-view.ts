/** A write's dry run as the master answers it (`?dryRun=true`, docs/marathon-api.md "Dry run"). */
export interface ApiDryRun {
  readonly dryRun?: boolean;
  readonly decidedAtOffset?: number;
  readonly events?: readonly { readonly type: string }[];
  readonly decisions?: readonly { readonly command: string; readonly eventIds: readonly string[] }[];
  readonly deployment?: {
    readonly id: string;
    readonly steps: readonly { readonly actions: readonly { readonly action: string; readonly app: string }[] }[];
  } | null;
  readonly cancelledDeployments?: readonly { readonly id: string; readonly reason: string }[];
  readonly placements?: readonly {
    readonly taskId: string;
    readonly agentId: string;
    readonly host: string;
    readonly ports: readonly number[];
  }[];
  readonly kills?: readonly {
    readonly taskId: string;
    readonly agentId: string;
    readonly host: string | null;
    readonly reason: string;
  }[];
  readonly declined?: readonly {
    readonly agentId: string;
    readonly host: string | null;
    readonly reasons: Readonly<Record<string, readonly Record<string, unknown>[]>>;
  }[];
  readonly notes?: readonly string[];
}

/** The dry run in words: the write's events, the plan's steps, then what the next tick would do. */
export function planLines(plan: ApiDryRun): string[] {
  const lines = [`Dry run on the state at log offset ${plan.decidedAtOffset ?? '?'}: nothing was written.`];
  const byId = new Map((plan.events ?? []).map((e) => [(e as { id?: string }).id, e.type]));
  const [write, tick] = plan.decisions ?? [];
  const typesOf = (ids: readonly string[] | undefined) => (ids ?? []).map((id) => byId.get(id) ?? '?');
  const written = typesOf(write?.eventIds);
  lines.push(
    written.length === 0
      ? `The write (${write?.command ?? '?'}) would change nothing.`
      : `The write (${write?.command ?? '?'}) would append: ${written.join(', ')}.`,
  );
  for (const cancelled of plan.cancelledDeployments ?? []) {
    lines.push(`It would cancel deployment ${cancelled.id} (${cancelled.reason}).`);
  }
  const deployment = plan.deployment;
  if (deployment) {
    const count = deployment.steps.length;
    lines.push(`Deployment ${deployment.id}, ${count} step${count === 1 ? '' : 's'}:`);
    deployment.steps.forEach((step, i) =>
      lines.push(`  ${i + 1}. ${step.actions.map((a) => `${a.action} ${a.app}`).join(', ')}`),
    );
  }
  lines.push(...tickLines(plan, typesOf(tick?.eventIds).length));
  if ((plan.notes ?? []).length > 0) lines.push('Notes:', ...(plan.notes ?? []).map((note) => `  - ${note}`));
  return lines;
}

function tickLines(plan: ApiDryRun, tickEvents: number): string[] {
  if (tickEvents === 0) return ['The next scheduler tick would do nothing.'];
  const lines = ['The next scheduler tick would:'];
  for (const p of plan.placements ?? []) {
    const ports = p.ports.length ? `, ports ${p.ports.join(',')}` : '';
    lines.push(`  launch ${p.taskId} on ${p.agentId} (${p.host})${ports}`);
  }
  for (const k of plan.kills ?? []) lines.push(`  kill ${k.taskId} on ${k.agentId} (${k.host ?? '?'}): ${k.reason}`);
  for (const d of plan.declined ?? []) {
    for (const [appId, reasons] of Object.entries(d.reasons)) {
      lines.push(`  not place ${appId} on ${d.agentId} (${d.host ?? '?'}): ${reasons.map(describeReason).join('; ')}`);
    }
  }
  if (lines.length === 1) lines.push(`  write ${tickEvents} event(s), none of them a launch, kill or decline`);
  return lines;
}

/** `InsufficientCpus (requested 2, available 1)`: the reason and its numbers. */
export function describeReason(reason: Record<string, unknown>): string {
  const { reason: kind, ...numbers } = reason;
  const details = Object.entries(numbers)
    .map(([key, value]) => `${key} ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join(', ');
  return details ? `${String(kind)} (${details})` : String(kind);
}
