import type { Readable, Writable } from 'node:stream';
import type { ControlPlane } from './control-plane';

/** The streams the CLI talks through: the process's in main.ts, captured ones in tests. */
export interface CliIo {
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly stdin: Readable;
  /** Environment to read (CAIRN_MASTER, CAIRN_*); defaults to process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Stops long-running commands (master, dev, events tail --follow) like Ctrl-C does. When it
   * is given, the CLI leaves the process's SIGINT/SIGTERM alone: the embedder owns them.
   */
  readonly signal?: AbortSignal;
}

/** What every command receives. `controlPlane` is replaceable so tests need not boot Nest. */
export interface CliContext {
  readonly io: CliIo;
  readonly env: NodeJS.ProcessEnv;
  readonly controlPlane: ControlPlane;
  /** Set by commands whose exit code is not "0 unless they threw" (master, dev). */
  exitCode: number;
}
