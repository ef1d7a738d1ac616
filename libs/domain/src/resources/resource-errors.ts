/** Typed errors that carry their context, so a caller's bug is named with the values that caused it. */
export class ResourceError extends Error {
  constructor(
    message: string,
    readonly context: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A Mesos resource string Cairn cannot read (`cpus:x`, an unknown name, a role, a bad range). */
export class ResourceParseError extends ResourceError {
  constructor(readonly details: { input: string; token: string; reason: string }) {
    super(`cannot parse resources '${details.input}' at '${details.token}': ${details.reason}`, details);
  }
}

/** A Resources value that is not well formed: a negative or non-finite scalar, or a bad port range. */
export class InvalidResourcesError extends ResourceError {
  constructor(readonly details: { field: string; value: unknown; reason: string }) {
    super(`invalid resources: ${details.field} = ${JSON.stringify(details.value)}: ${details.reason}`, details);
  }
}

/** `subtractResources(have, take)` where `have` does not contain `take`: resources would go negative. */
export class ResourcesNotContainedError extends ResourceError {
  constructor(readonly details: { have: string; take: string }) {
    super(`cannot subtract ${details.take || '(nothing)'} from ${details.have || '(nothing)'}: not contained`, details);
  }
}
