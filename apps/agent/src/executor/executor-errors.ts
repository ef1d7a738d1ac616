/** Typed executor errors that carry their context (same shape as libs/eventlog/src/errors.ts). */
export class ExecutorError extends Error {
  constructor(
    message: string,
    readonly context: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A task id that cannot name a sandbox directory. */
export class InvalidTaskIdError extends ExecutorError {
  constructor(readonly details: { taskId: string }) {
    super(
      `task id '${details.taskId}' is not usable as a sandbox name: letters, digits, '.', '_' and '-' only, ` +
        'starting with a letter or digit, at most 200 characters',
      details,
    );
  }
}

/** A command the executor cannot start (empty `cmd`, empty `args`). */
export class InvalidCommandError extends ExecutorError {
  constructor(readonly details: { taskId: string; reason: string }) {
    super(`task ${details.taskId}: ${details.reason}`, details);
  }
}

/** The sandbox already exists: a task id is launched at most once on an agent. */
export class TaskAlreadyLaunchedError extends ExecutorError {
  constructor(readonly details: { taskId: string; sandboxDir: string }) {
    super(`task ${details.taskId} was already launched here (sandbox ${details.sandboxDir} exists)`, details);
  }
}

/** The wrapper process could not be started (no shell, fork failure, sandbox vanished). */
export class LaunchFailedError extends ExecutorError {
  constructor(readonly details: { taskId: string; sandboxDir: string; cause: string }) {
    super(`task ${details.taskId} could not be started in ${details.sandboxDir}: ${details.cause}`, details);
  }
}

/**
 * A host port the task was given is held by a process the agent did not start: the command would
 * crash with "Address already in use" (and, restarted, crash-loop), so it is not started.
 */
export class PortInUseError extends ExecutorError {
  constructor(readonly details: { taskId: string; port: number }) {
    super(
      `host port ${details.port} is already in use on this host by a process Cairn did not start, so the task was ` +
        `not started. Free the port, or give the agent a port range nothing else uses (cairn agent --resources ` +
        `'ports:[…]', cairn dev --task-ports)`,
      details,
    );
  }
}

/** launch() on an executor that was closed (the agent is stopping). */
export class ExecutorClosedError extends ExecutorError {
  constructor(readonly details: { taskId: string }) {
    super(`task ${details.taskId} not launched: this executor is closed`, details);
  }
}

/**
 * An artifact of the task could not be fetched (or the fetch was stopped: `aborted`, by its
 * timeout or a kill); the command never started and the sandbox is gone.
 */
export class FetchFailedError extends ExecutorError {
  constructor(readonly details: { taskId: string; uri: string; cause: string; aborted: boolean }) {
    super(`Failed to fetch '${details.uri}': ${details.cause}`, details);
  }
}
