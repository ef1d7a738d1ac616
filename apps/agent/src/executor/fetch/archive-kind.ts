/**
 * The archives `extract` unpacks, by file name as Mesos's fetcher recognises them. Any other file
 * (a plain script, a binary, a lone `.gz`) is left as downloaded, so `extract: true` (Marathon's
 * default) is harmless for non-archives.
 */
export type ArchiveKind = 'tar' | 'zip';

const TAR_SUFFIXES = ['.tar', '.tar.gz', '.tgz', '.tar.bz2', '.tbz2', '.tar.xz', '.txz'];

export function archiveKindOf(fileName: string): ArchiveKind | null {
  const name = fileName.toLowerCase();
  if (TAR_SUFFIXES.some((suffix) => name.endsWith(suffix))) return 'tar';
  if (name.endsWith('.zip')) return 'zip';
  return null;
}
