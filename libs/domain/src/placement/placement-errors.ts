/**
 * A task demand or queue placement cannot judge: a negative amount, a port count that disagrees
 * with the required ports, an app queued twice. The caller built it wrong; the error names where.
 */
export class PlacementInputError extends Error {
  constructor(readonly details: { field: string; value: unknown; reason: string }) {
    super(`invalid placement input: ${details.field} = ${JSON.stringify(details.value)}: ${details.reason}`);
    this.name = 'PlacementInputError';
  }
}
