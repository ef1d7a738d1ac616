import { spawn, type ChildProcess } from 'node:child_process';
import {
  LAUNCHER_EXEC_ARGV,
  LAUNCHER_SCRIPT,
  type LauncherMessage,
  type LauncherSpawnRequest,
} from './launcher-process';
import type { TaskSpec } from './task-spec';
import { wrapperArguments } from './task-wrapper';
import type { SpawnedWrapper, WrapperEnd, WrapperSpawnOptions, WrapperSpawner } from './wrapper-spawn';

interface PendingSpawn {
  resolve(wrapper: SpawnedWrapper): void;
  reject(cause: string): void;
}

/** A wrapper spawned by the launcher, until its end is reported. */
interface Watch {
  listener?: (end: WrapperEnd) => void;
  /** The end arrived before a listener was registered. */
  ended?: WrapperEnd;
}

/**
 * Spawns wrappers through the launcher child (launcher-process.ts), so that each fork copies a
 * small process instead of the agent. The launcher is the wrappers' parent: it reaps them and
 * reports their exits. Started on the first spawn; when it dies, the wrappers it watched are
 * reported `unwatched` (they are detached and keep running; the executor polls them), requests in
 * flight fail, and the next spawn starts a new launcher.
 */
export class ChildLauncherSpawner implements WrapperSpawner {
  private launcher?: ChildProcess;
  private launcherReady?: Promise<void>;
  private markReady?: () => void;
  private nextRequestId = 1;
  private readonly pending = new Map<number, PendingSpawn>();
  /** By wrapper pid: the launcher reaps a pid (and reports it) before it can name it again. */
  private readonly watches = new Map<number, Watch>();
  private closed = false;
  /** Answers awaited from the current launcher. */
  private holds = 0;

  spawn(spec: TaskSpec, options: WrapperSpawnOptions): Promise<SpawnedWrapper> {
    if (this.closed) return Promise.reject('the launcher is closed');
    const launcher = this.running();
    const request: LauncherSpawnRequest = {
      id: this.nextRequestId++,
      file: options.shellPath,
      args: wrapperArguments(spec, options.shellPath),
      cwd: options.sandboxDir,
      env: options.env,
    };
    return new Promise<SpawnedWrapper>((resolve, reject) => {
      this.pending.set(request.id, { resolve, reject });
      this.hold();
      launcher.send(request, (error: Error | null) => {
        if (error) this.settleRequest(request.id, { error: `cannot reach the launcher: ${String(error)}` });
      });
    });
  }

  /** Starts the launcher if needed; resolves once it listens (or is gone: spawn() then says why). */
  ready(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.running();
    return this.launcherReady ?? Promise.resolve();
  }

  close(): void {
    this.closed = true;
    const launcher = this.launcher;
    this.failAll(launcher, 'the launcher was closed');
    this.markReady?.();
    this.launcher = undefined;
    if (launcher?.connected) launcher.disconnect(); // the launcher exits on disconnect
  }

  /** The live launcher, started if there is none. */
  private running(): ChildProcess {
    if (this.launcher) return this.launcher;
    const launcher = spawn(process.execPath, [...LAUNCHER_EXEC_ARGV, '-e', LAUNCHER_SCRIPT], {
      // stdin/stdout unused; stderr shared so a launcher crash is visible in the agent's output.
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      env: {}, // nothing of the agent's environment (NODE_OPTIONS, CAIRN_*) shapes the launcher
    });
    this.launcher = launcher;
    this.holds = 0;
    this.hold(); // until it says ready
    this.launcherReady = new Promise((resolve) => {
      this.markReady = () => {
        this.markReady = undefined;
        this.release();
        resolve();
      };
    });
    launcher.on('message', (message: LauncherMessage) => this.onMessage(message));
    launcher.on('error', () => undefined); // spawn failure: 'exit' follows or the send fails
    // 'close', not 'exit': it comes after the IPC channel has delivered the launcher's last messages.
    launcher.once('close', () => this.onLauncherGone(launcher));
    launcher.unref();
    return launcher;
  }

  /**
   * The channel keeps the agent's event loop alive only while an answer is awaited (start-up, a
   * spawn): an idle launcher must not keep a stopping agent alive.
   */
  private hold(): void {
    if (this.holds++ === 0) this.launcher?.channel?.ref();
  }

  private release(): void {
    if (--this.holds === 0) this.launcher?.channel?.unref();
  }

  private onMessage(message: LauncherMessage): void {
    if ('ready' in message) {
      this.markReady?.();
      return;
    }
    if ('exited' in message) {
      this.end(message.exited, 'exited');
      return;
    }
    this.settleRequest(message.id, message);
  }

  private settleRequest(id: number, outcome: { pid: number; startTime: number } | { error: string }): void {
    const request = this.pending.get(id);
    if (!request) return;
    this.pending.delete(id);
    this.release();
    if ('error' in outcome) {
      request.reject(outcome.error);
      return;
    }
    const { pid, startTime } = outcome;
    const watch: Watch = {};
    this.watches.set(pid, watch);
    request.resolve({
      pid,
      startTime,
      onEnd: (listener) => {
        if (watch.ended) listener(watch.ended);
        else watch.listener = listener;
      },
      forget: () => {
        if (this.watches.get(pid) === watch) this.watches.delete(pid);
        watch.listener = undefined;
      },
    });
  }

  private end(pid: number, end: WrapperEnd): void {
    const watch = this.watches.get(pid);
    if (!watch) return;
    this.watches.delete(pid);
    if (watch.listener) watch.listener(end);
    else watch.ended = end;
  }

  /** The launcher died (or was closed): its wrappers live on, unwatched; its requests fail. */
  private onLauncherGone(launcher: ChildProcess): void {
    if (this.launcher === launcher) {
      this.launcher = undefined;
      this.markReady?.();
    }
    this.failAll(launcher, `the launcher exited (${launcher.exitCode ?? launcher.signalCode})`);
  }

  private failAll(launcher: ChildProcess | undefined, cause: string): void {
    if (!launcher) return;
    for (const id of [...this.pending.keys()]) this.settleRequest(id, { error: cause });
    for (const pid of [...this.watches.keys()]) this.end(pid, 'unwatched');
  }
}
