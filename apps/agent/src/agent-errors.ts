/** Typed agent errors that carry their context (same shape as libs/eventlog/src/errors.ts). */
export class AgentError extends Error {
  constructor(
    message: string,
    readonly context: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A bad `cairn agent` option: a usage error (the CLI exits 2). */
export class AgentOptionsError extends AgentError {
  constructor(readonly details: { option: string; reason: string }) {
    super(`${details.option}: ${details.reason}`, details);
  }
}

/** A master did not answer as the protocol says (unreachable, timed out, unexpected status). */
export class MasterRequestError extends AgentError {
  constructor(readonly details: { url: string; status?: number; reason: string }) {
    super(
      `${details.url}: ${details.status === undefined ? '' : `HTTP ${details.status}: `}${details.reason}`,
      details,
    );
  }
}

/** `401`: the master refused the agent token. Retrying does not help; the agent stops. */
export class AgentTokenRefusedError extends AgentError {
  constructor(readonly details: { url: string; message: string }) {
    super(
      `the master at ${details.url} refused this agent's token (${details.message}); ` +
        "set CAIRN_AGENT_TOKEN or --token-file to the cluster's agent token",
      details,
    );
  }
}

/** Another live agent uses this work dir: two agents adopting the same tasks would report them twice. */
export class WorkDirLockedError extends AgentError {
  constructor(readonly details: { workDir: string; pid: number }) {
    super(`work dir ${details.workDir} is in use by another agent (pid ${details.pid})`, details);
  }
}

/** agent.json exists but cannot be read: refusing to register as a new agent over it. */
export class AgentCheckpointError extends AgentError {
  constructor(readonly details: { file: string; reason: string }) {
    super(`cannot read the agent checkpoint ${details.file}: ${details.reason}`, details);
  }
}
