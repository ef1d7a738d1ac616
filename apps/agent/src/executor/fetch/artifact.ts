/**
 * One artifact to put in a task's sandbox before its command starts (the launch's `fetch[i]`,
 * Marathon's Artifact with defaults filled by the master).
 */
export interface FetchArtifact {
  /** http://, https://, file:// or an absolute path on the agent. */
  uri: string;
  /** Unpack a recognised archive (archive-kind.ts) into the file's directory; other files stay as they are. */
  extract: boolean;
  /** chmod 0755 the file (Mesos does not extract an executable artifact). */
  executable: boolean;
  /** Accepted and ignored: every task downloads its own copy (docs/fetch.md). */
  cache: boolean;
  /** The file's path relative to the sandbox; null: the uri's last path segment. */
  destPath: string | null;
}

/** Bounds of one task's fetch (docs/fetch.md). */
export interface FetchLimits {
  /** The whole fetch of a task (every artifact, downloads and extraction), in ms. */
  timeoutMs: number;
  /** One artifact's size in bytes, as downloaded (before extraction). */
  maxBytes: number;
}

/**
 * 2 minutes: well inside the master's launch timeout (300 s to TASK_RUNNING), so a slow fetch
 * ends as a fetch failure naming the uri rather than as a launch timeout.
 */
export const DEFAULT_FETCH_TIMEOUT_MS = 120_000;
/** 1 GiB per artifact: a bound against filling the agent's disk, above any sane app bundle. */
export const DEFAULT_FETCH_MAX_BYTES = 1024 * 1024 * 1024;

export const DEFAULT_FETCH_LIMITS: FetchLimits = {
  timeoutMs: DEFAULT_FETCH_TIMEOUT_MS,
  maxBytes: DEFAULT_FETCH_MAX_BYTES,
};
