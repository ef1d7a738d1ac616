import { basename, isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHECKPOINT_FILE, EXIT_ACKNOWLEDGED_FILE, EXIT_STATUS_FILE, STDERR_FILE, STDOUT_FILE } from '../sandbox-layout';

/** Files of the sandbox the agent and the wrapper own: an artifact may not take their place. */
const RESERVED = new Set([CHECKPOINT_FILE, STDOUT_FILE, STDERR_FILE, EXIT_STATUS_FILE, EXIT_ACKNOWLEDGED_FILE]);

/** Where an artifact comes from: a URL to download, or a file on this machine to copy. */
export type ArtifactSource = { kind: 'http'; url: URL } | { kind: 'file'; path: string };

/** Reads a fetch uri; throws (with a reason for the task's message) when the agent cannot fetch it. */
export function sourceOf(uri: string): ArtifactSource {
  if (uri.startsWith('/')) return { kind: 'file', path: uri }; // Mesos's fetcher takes plain local paths too
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new Error('not a URI');
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') return { kind: 'http', url };
  if (url.protocol === 'file:') return { kind: 'file', path: fileURLToPath(url) };
  throw new Error(`unsupported scheme '${url.protocol.replace(/:$/, '')}' (http, https and file only)`);
}

/**
 * The absolute path the artifact is written to: `destPath`, else the uri's last path segment, in
 * the sandbox. A path that leaves the sandbox, or takes a file the agent owns, is refused.
 */
export function targetPath(sandboxDir: string, destPath: string | null, source: ArtifactSource): string {
  const name = destPath ?? fileNameOf(source);
  if (!name || name === '.' || name === '..') throw new Error('the URI names no file: give destPath');
  if (isAbsolute(name)) throw new Error(`destPath '${name}' must be relative to the sandbox`);
  const target = resolve(sandboxDir, name);
  const inside = relative(sandboxDir, target);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
    throw new Error(`'${name}' is outside the task's sandbox`);
  }
  if (RESERVED.has(inside)) throw new Error(`'${name}' is a file the agent writes in the sandbox`);
  return target;
}

function fileNameOf(source: ArtifactSource): string {
  if (source.kind === 'file') return basename(source.path);
  const segments = source.url.pathname.split('/');
  const last = segments[segments.length - 1] ?? '';
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}
