import { jestDescribe } from './jest-hooks';
import { Backend, BACKENDS } from './master';

/**
 * Runs the same describe block once per log backend: `name [file]` and `name [kafka]`. The kafka
 * block fails (never skips) when KAFKA_BROKERS is unset, and startMaster checks that the master
 * really reports the backend the block asked for (GET /v1/info → logBackend).
 */
export function describeEachBackend(name: string, fn: (backend: Backend) => void): void {
  for (const backend of BACKENDS) {
    jestDescribe(`${name} [${backend}]`, () => fn(backend));
  }
}
