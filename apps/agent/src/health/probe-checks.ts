import type { Clock } from '@cairn/common';
import type { Logger } from 'pino';
import type { HealthCheckSpec, ReadinessCheckSpec } from '../protocol/agent-protocol';
import { honoursDelay, probeKindOf } from './check-target';
import { describeHealth, healthReport, INITIAL_HEALTH, recordResult, type HealthRules } from './health-fold';
import { runProbe, type Probe, type ProbeOutcome, type ReadinessOutcome } from './probe';
import { ProbeLimiter } from './probe-limiter';
import { realProbes, type ProbeFactory } from './probe-factory';
import { readinessReady } from './readiness';
import type { CheckedTask, CheckReport, TaskChecks } from './task-checks';

/** HTTP, HTTPS, TCP and readiness probes in flight at once, over all tasks. */
export const MAX_CONCURRENT_PROBES = 32;
/** COMMAND probes at once: each is a process (a fork of the agent). */
export const MAX_CONCURRENT_COMMAND_PROBES = 4;
/** An interval below this (0 included) is taken as this: a check never spins. */
export const MIN_CHECK_INTERVAL_MS = 100;

export interface ProbeChecksOptions {
  clock: Clock;
  logger: Logger;
  /** Default: the real probes (probe-factory.ts). */
  probes?: ProbeFactory;
  maxConcurrentProbes?: number;
  maxConcurrentCommandProbes?: number;
}

/**
 * Health and readiness checks run by probing, next to the task (docs/health-checks.md). Each check
 * is a loop on the injected clock: wait (delaySeconds first, then intervalSeconds after each probe
 * ends), take a slot, probe with timeoutSeconds, fold the result, report a transition. A health
 * check stops once maxConsecutiveFailures is reached, a readiness check once ready, all of a
 * task's when the TaskManager stops them (the task ends or is being killed).
 */
export class ProbeChecks implements TaskChecks {
  private readonly running = new Set<() => void>();
  private readonly network: ProbeLimiter;
  private readonly commands: ProbeLimiter;
  private readonly probes: ProbeFactory;

  constructor(private readonly options: ProbeChecksOptions) {
    this.network = new ProbeLimiter(options.maxConcurrentProbes ?? MAX_CONCURRENT_PROBES);
    this.commands = new ProbeLimiter(options.maxConcurrentCommandProbes ?? MAX_CONCURRENT_COMMAND_PROBES);
    this.probes = options.probes ?? realProbes();
  }

  start(task: CheckedTask, report: (report: CheckReport) => void): () => void {
    const loops = [
      ...task.healthChecks.map((check, index) => this.healthLoop(task, check, index, report)),
      ...task.readinessChecks.map((check) => this.readinessLoop(task, check, report)),
    ];
    const stop = () => {
      this.running.delete(stop);
      for (const loop of loops) loop.stop();
    };
    this.running.add(stop);
    return stop;
  }

  close(): void {
    for (const stop of [...this.running]) stop();
  }

  /** Probes in flight and waiting for a slot (tests, metrics). */
  stats(): { network: { active: number; waiting: number }; commands: { active: number; waiting: number } } {
    return { network: this.network.stats(), commands: this.commands.stats() };
  }

  private healthLoop(
    task: CheckedTask,
    check: HealthCheckSpec,
    index: number,
    report: (report: CheckReport) => void,
  ): CheckLoop<ProbeOutcome> {
    const { clock } = this.options;
    const rules: HealthRules = {
      gracePeriodMs: check.gracePeriodSeconds * 1000,
      maxConsecutiveFailures: check.maxConsecutiveFailures,
      runningSince: task.runningSince,
    };
    const label = `health check ${index} (${check.protocol})`;
    let health = INITIAL_HEALTH;
    const loop = new CheckLoop<ProbeOutcome>({
      clock,
      logger: this.options.logger.child({ taskId: task.taskId, check: label }),
      limiter: probeKindOf(check.protocol) === 'COMMAND' ? this.commands : this.network,
      probe: this.probes.health(check, task),
      timeoutMs: check.timeoutSeconds * 1000,
      intervalMs: Math.max(check.intervalSeconds * 1000, MIN_CHECK_INTERVAL_MS),
      onOutcome: (outcome, at) => {
        if (outcome.kind === 'ignored') return true;
        const result =
          outcome.kind === 'success' ? { ok: true as const, at } : { ok: false as const, at, cause: outcome.cause };
        const step = recordResult(health, result, rules);
        health = step.health;
        if (step.report) {
          report({
            kind: 'health',
            health: healthReport(index, health),
            message: describeHealth(label, health, rules),
          });
        }
        return !step.exhausted;
      },
    });
    const delayMs = honoursDelay(check.protocol) ? check.delaySeconds * 1000 : 0;
    loop.start(Math.max(0, task.runningSince + delayMs - clock.now()));
    return loop;
  }

  private readinessLoop(
    task: CheckedTask,
    check: ReadinessCheckSpec,
    report: (report: CheckReport) => void,
  ): CheckLoop<ReadinessOutcome> {
    const label = `readiness check ${check.name}`;
    const loop = new CheckLoop<ReadinessOutcome>({
      clock: this.options.clock,
      logger: this.options.logger.child({ taskId: task.taskId, check: label }),
      limiter: this.network,
      probe: this.probes.readiness(check, task),
      timeoutMs: check.timeoutSeconds * 1000,
      intervalMs: Math.max(check.intervalSeconds * 1000, MIN_CHECK_INTERVAL_MS),
      onOutcome: (outcome) => {
        const readiness = readinessReady(check, outcome);
        if (!readiness) return true;
        report({ kind: 'readiness', readiness, message: `${label}: ready (HTTP ${readiness.lastResponse?.status})` });
        return false;
      },
    });
    loop.start(0);
    return loop;
  }
}

interface CheckLoopSettings<T> {
  clock: Clock;
  logger: Logger;
  limiter: ProbeLimiter;
  probe: Probe<T>;
  timeoutMs: number;
  intervalMs: number;
  /** Takes each outcome at the time it came; false = probe no more. */
  onOutcome(outcome: T | { kind: 'failure'; cause: string }, at: number): boolean;
}

/** One check's schedule: at most one probe waiting or running at a time, never two. */
class CheckLoop<T extends ProbeOutcome | ReadinessOutcome> {
  private cancelTimer?: () => void;
  private controller?: AbortController;
  private stopped = false;

  constructor(private readonly settings: CheckLoopSettings<T>) {}

  start(firstDelayMs: number): void {
    this.schedule(firstDelayMs);
  }

  /** No probe starts after this; a probe in flight is aborted and its result dropped. */
  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.controller?.abort('stopped');
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.cancelTimer = this.settings.clock.setTimer(delayMs, () => {
      this.cancelTimer = undefined;
      void this.probeOnce();
    });
  }

  private async probeOnce(): Promise<void> {
    const { clock, limiter, probe, timeoutMs } = this.settings;
    const controller = new AbortController();
    this.controller = controller;
    try {
      const outcome = await limiter.run(() => runProbe(probe, { timeoutMs, clock, controller }), controller.signal);
      if (this.stopped || outcome === undefined) return;
      this.controller = undefined;
      if (this.settings.onOutcome(outcome, clock.now())) this.schedule(this.settings.intervalMs);
      else this.stopped = true;
    } catch (error) {
      // A bug in a probe or a report: keep checking rather than go silent.
      this.settings.logger.error({ err: error }, 'health check round failed');
      this.schedule(this.settings.intervalMs);
    }
  }
}
