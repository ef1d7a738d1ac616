import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | null = null;

/**
 * Heap in use after a full collection, in bytes: what a structure still reachable holds, not
 * garbage waiting to be collected. The runner's process is not started with --expose-gc, so the
 * flag is set now and `gc` taken from a fresh context (V8 installs it there once the flag is on).
 */
export function heapUsedAfterGc(): number {
  if (!collect) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
  collect();
  return process.memoryUsage().heapUsed;
}
