/**
 * Jest's globals, reached through globalThis so the harness also compiles (tsconfig.build.json
 * has no jest types) and loads outside jest (a compiled benchmark), where they are absent.
 */
type HookFn = () => unknown | Promise<unknown>;

interface JestGlobals {
  describe?: (name: string, fn: () => void) => void;
  afterAll?: (fn: HookFn, timeoutMs?: number) => void;
  afterEach?: (fn: HookFn, timeoutMs?: number) => void;
}

const jestGlobals = globalThis as unknown as JestGlobals;

export function insideJest(): boolean {
  return typeof jestGlobals.afterAll === 'function' && typeof jestGlobals.describe === 'function';
}

export function jestDescribe(name: string, fn: () => void): void {
  if (!jestGlobals.describe) throw new Error('describe is only available inside jest');
  jestGlobals.describe(name, fn);
}

/** Registers a file-level afterAll when loaded inside jest (top level of a test file's import). */
export function registerAfterAll(fn: HookFn, timeoutMs: number): void {
  jestGlobals.afterAll?.(fn, timeoutMs);
}

export function registerAfterEach(fn: HookFn, timeoutMs: number): void {
  jestGlobals.afterEach?.(fn, timeoutMs);
}

interface CircusTest {
  errors?: unknown[];
}
interface CircusState {
  currentlyRunningTest?: CircusTest | null;
  hasFocusedTests?: boolean;
  unhandledErrors?: unknown[];
}

/**
 * Whether the test that is running has failed so far. jest-circus keeps its state under this
 * symbol; it is not a public API, so when it is missing we answer `undefined` (unknown).
 */
export function currentTestFailed(): boolean | undefined {
  const state = (globalThis as Record<symbol, unknown>)[Symbol.for('JEST_STATE_SYMBOL')] as CircusState | undefined;
  const test = state?.currentlyRunningTest;
  if (!test || !Array.isArray(test.errors)) return undefined;
  return test.errors.length > 0;
}
