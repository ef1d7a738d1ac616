import type { CliIo } from './cli-context';
import { ExitCode } from './exit-codes';
import type { Output } from './output/output';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export interface Interrupt {
  /** Aborts on the first Ctrl-C / SIGTERM, or when the embedder's io.signal aborts. */
  readonly signal: AbortSignal;
  /** Resolves when `signal` aborts. */
  readonly stopped: Promise<void>;
  dispose(): void;
}

/**
 * Stop requests for long-running commands. The first signal asks for a clean stop; a second
 * one exits at once (exit 130), so a shutdown that hangs never traps the operator. With
 * io.signal the process's signals are left alone (tests and embedders stop the command).
 */
export function listenForInterrupt(io: CliIo, output: Output): Interrupt {
  const controller = new AbortController();
  const stopped = new Promise<void>((resolve) => controller.signal.addEventListener('abort', () => resolve()));
  if (io.signal) {
    const external = io.signal;
    const abort = () => controller.abort();
    if (external.aborted) abort();
    else external.addEventListener('abort', abort, { once: true });
    return { signal: controller.signal, stopped, dispose: () => external.removeEventListener('abort', abort) };
  }
  const onSignal = (name: NodeJS.Signals) => {
    if (!controller.signal.aborted) {
      controller.abort();
      return;
    }
    output.note(`${name} again: stopping now, without a clean shutdown`);
    process.exit(ExitCode.Forced);
  };
  for (const name of STOP_SIGNALS) process.on(name, onSignal);
  return {
    signal: controller.signal,
    stopped,
    dispose: () => STOP_SIGNALS.forEach((name) => process.off(name, onSignal)),
  };
}
