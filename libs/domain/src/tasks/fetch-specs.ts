import type { AppDefinition, TaskLaunchedData } from '@cairn/events';

type Json = Record<string, unknown>;
type FetchSpec = TaskLaunchedData['fetch'][number];

/**
 * The artifacts a task's agent fetches before starting it, as its launch carries them: the app's
 * `fetch` with Marathon's Artifact defaults (extract true, executable false, cache false), or,
 * for an app that still uses the deprecated `uris` (the edge refuses both together), one
 * artifact per uri with the same defaults, as Marathon translates them. Filled here rather
 * than on the agent so the event records exactly what was asked of it.
 */
export function fetchSpecs(app: AppDefinition): FetchSpec[] {
  const fetch = Array.isArray(app.fetch) ? (app.fetch as Json[]) : [];
  if (fetch.length > 0) return fetch.filter((item) => typeof item.uri === 'string').map(artifactSpec);
  const uris = Array.isArray(app.uris) ? (app.uris as unknown[]) : [];
  return uris.filter((uri): uri is string => typeof uri === 'string').map((uri) => artifactSpec({ uri }));
}

function artifactSpec(item: Json): FetchSpec {
  return {
    uri: item.uri as string,
    extract: item.extract !== false,
    executable: item.executable === true,
    cache: item.cache === true,
    destPath: typeof item.destPath === 'string' && item.destPath.length > 0 ? item.destPath : null,
  };
}
