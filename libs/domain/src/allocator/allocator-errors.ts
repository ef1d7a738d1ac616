/**
 * Input the allocator refuses: two agents or frameworks with one id, a weight that is not > 0.
 * Such input is a bug in whoever assembled it (the master's state), so it is loud, with context.
 */
export class AllocatorInputError extends Error {
  constructor(readonly details: { field: string; value: unknown; reason: string }) {
    super(`invalid allocator input: ${details.field} = ${JSON.stringify(details.value)}: ${details.reason}`);
    this.name = 'AllocatorInputError';
  }
}
