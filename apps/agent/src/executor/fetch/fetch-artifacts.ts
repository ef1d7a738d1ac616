import { chmod, mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { TEMP_SUFFIX } from '../sandbox-layout';
import { archiveKindOf } from './archive-kind';
import type { FetchArtifact } from './artifact';
import { sourceOf, targetPath } from './artifact-path';
import { download } from './download';
import { extract } from './extract';

/** One artifact could not be fetched: `uri` and `reason` make the task's TASK_FAILED message. */
export class ArtifactFetchError extends Error {
  constructor(
    readonly uri: string,
    readonly reason: string,
  ) {
    super(`Failed to fetch '${uri}': ${reason}`);
    this.name = 'ArtifactFetchError';
  }
}

/**
 * Fetches a task's artifacts into its sandbox, one after the other, in the launch's order (a later
 * artifact may overwrite what an earlier archive unpacked, as with Mesos). Stops at the first
 * failure; `signal` (the fetch timeout, or a kill) stops the one under way.
 */
export async function fetchArtifacts(
  artifacts: readonly FetchArtifact[],
  sandboxDir: string,
  maxBytes: number,
  signal: AbortSignal,
): Promise<void> {
  for (const artifact of artifacts) {
    try {
      await fetchOne(artifact, sandboxDir, maxBytes, signal);
    } catch (error) {
      throw new ArtifactFetchError(artifact.uri, causeOf(error, signal));
    }
  }
}

async function fetchOne(artifact: FetchArtifact, sandboxDir: string, maxBytes: number, signal: AbortSignal) {
  signal.throwIfAborted();
  const source = sourceOf(artifact.uri);
  const target = targetPath(sandboxDir, artifact.destPath, source);
  await mkdir(dirname(target), { recursive: true });
  // Written aside and renamed: a half-downloaded file never has the name the command expects.
  const partial = `${target}${TEMP_SUFFIX}`;
  try {
    await download(source, partial, maxBytes, signal);
    await rename(partial, target);
  } finally {
    await rm(partial, { force: true });
  }
  if (artifact.executable) {
    await chmod(target, 0o755);
    return; // Mesos: an executable artifact is not extracted
  }
  const kind = artifact.extract ? archiveKindOf(basename(target)) : null;
  if (kind) await extract(kind, target, dirname(target), signal);
}

function causeOf(error: unknown, signal: AbortSignal): string {
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    return messageOf(reason) ?? String(reason ?? 'aborted');
  }
  // Read by shape, not instanceof: undici's errors may come from another realm (jest's vm).
  const message = messageOf(error);
  if (message === undefined) return String(error);
  // undici's "fetch failed" says nothing: its cause names the refused connection or the DNS miss.
  const cause = messageOf((error as { cause?: unknown }).cause);
  return message === 'fetch failed' && cause !== undefined ? cause : message;
}

function messageOf(value: unknown): string | undefined {
  const message = (value as { message?: unknown } | null | undefined)?.message;
  return typeof message === 'string' ? message : undefined;
}
