/**
 * The launcher: a small long-lived node child of the agent that spawns task wrappers for it.
 * spawn() forks its caller and fork copies the caller's page tables, so its cost grows with the
 * caller's memory (../shared/notes/perf.md); a node process that loads nothing but
 * node:child_process and node:fs, with a 16 MiB old space, stays far smaller than the agent.
 *
 * Passed inline (`node -e`), not as a file: nothing to resolve in the build or under jest, and an
 * agent upgrade cannot change the script under a running launcher.
 *
 * Protocol (IPC, JSON): the agent sends a LauncherSpawnRequest; the launcher answers with a
 * LauncherReply for the same `id`, then, being the wrapper's parent, reaps it and sends a
 * LauncherExit when it ends. Both go through one ordered channel, so the reply naming a pid always
 * comes before the exit of that pid. The start time is read while spawn() runs, before the
 * launcher's event loop could reap even an instantly exiting wrapper (as wrapper-spawn.ts does).
 * It says `ready` once it listens. The launcher exits when the agent goes (`disconnect`); live wrappers are detached and survive it.
 */
export const LAUNCHER_SCRIPT = `'use strict';
const { spawn } = require('node:child_process');
const { readFileSync } = require('node:fs');
function startTime(pid) {
  try {
    const stat = readFileSync('/proc/' + pid + '/stat', 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  } catch (error) {
    return undefined;
  }
}
function reply(message) {
  // With a callback, a send to an agent that is gone fails quietly; 'disconnect' ends us anyway.
  if (process.connected) process.send(message, () => undefined);
}
process.on('message', (request) => {
  let child;
  try {
    child = spawn(request.file, request.args, { cwd: request.cwd, env: request.env, detached: true, stdio: 'ignore' });
  } catch (error) {
    reply({ id: request.id, error: String(error) });
    return;
  }
  if (child.pid === undefined) {
    child.once('error', (error) => reply({ id: request.id, error: String(error) }));
    return;
  }
  child.on('error', () => undefined);
  const pid = child.pid;
  const time = startTime(pid);
  if (time === undefined) {
    reply({ id: request.id, error: 'wrapper ' + pid + ' vanished before its start time could be read' });
    return;
  }
  child.once('exit', () => reply({ exited: pid }));
  reply({ id: request.id, pid, startTime: time });
});
process.on('disconnect', () => process.exit(0));
reply({ ready: true });
`;

/** The launcher's heap bound: it holds one request at a time and a map of its children. */
export const LAUNCHER_EXEC_ARGV = ['--max-old-space-size=16'];

export interface LauncherSpawnRequest {
  id: number;
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
}

export type LauncherMessage =
  { id: number; pid: number; startTime: number } | { id: number; error: string } | { exited: number } | { ready: true };
