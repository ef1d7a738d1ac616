import type { Clock } from '@cairn/common';
import { describeHealth, healthReport, INITIAL_HEALTH, recordResult, type HealthRules } from '../health/health-fold';
import { MIN_CHECK_INTERVAL_MS } from '../health/probe-checks';
import type { CheckedTask, CheckReport, TaskChecks } from '../health/task-checks';
import type { HealthCheckSpec } from '../protocol/agent-protocol';
import { taskFate, type FateSettings } from './task-fate';

/** Why a simulated failing check fails. */
export const SIMULATED_FAILURE_CAUSE = 'simulated failure';

export interface SimulatedChecksSettings {
  clock: Clock;
  /** The task's fate says whether its checks pass (FateSettings.unhealthyRate). */
  fate: FateSettings;
  /** TASK_RUNNING → the first result of each check. */
  healthyAfterMs: number;
}

/** Tasks whose checks reported, over this agent's life. */
export interface SimulatedChecksCounts {
  /** Tasks whose health checks all reported alive:true. */
  healthy: number;
  /** Tasks whose health checks reported alive:false (some of them then reach maxConsecutiveFailures). */
  unhealthy: number;
}

/**
 * Checks without probes, for simulated agents: results made up from the task's fate and folded
 * by the real health-fold.ts, so the updates are what a process agent sends. A healthy task's
 * checks pass `healthyAfterMs` after TASK_RUNNING (its readiness checks pass then too); an
 * unhealthy one's fail from then on, one failure per intervalSeconds, until maxConsecutiveFailures
 * (the first failure is counted at once: a simulated task is past its grace period). Tasks without
 * checks report nothing.
 */
export class SimulatedChecks implements TaskChecks {
  readonly counts: SimulatedChecksCounts = { healthy: 0, unhealthy: 0 };
  private readonly running = new Set<() => void>();

  constructor(private readonly settings: SimulatedChecksSettings) {}

  start(task: CheckedTask, report: (report: CheckReport) => void): () => void {
    const { clock } = this.settings;
    const timers = new Set<() => void>();
    const after = (ms: number, fn: () => void) => {
      const cancel = clock.setTimer(ms, () => {
        timers.delete(cancel);
        fn();
      });
      timers.add(cancel);
    };
    const healthy = taskFate(task.taskId, this.settings.fate).healthy;
    after(Math.max(0, task.runningSince + this.settings.healthyAfterMs - clock.now()), () => {
      if (healthy) this.pass(task, report);
      else this.failAll(task, report, after);
    });
    const stop = () => {
      this.running.delete(stop);
      for (const cancel of timers) cancel();
      timers.clear();
    };
    this.running.add(stop);
    return stop;
  }

  close(): void {
    for (const stop of [...this.running]) stop();
  }

  private pass(task: CheckedTask, report: (report: CheckReport) => void): void {
    const at = this.settings.clock.now();
    task.healthChecks.forEach((check, index) => {
      const rules = rulesOf(check, task);
      const { health } = recordResult(INITIAL_HEALTH, { ok: true, at }, rules);
      report({
        kind: 'health',
        health: healthReport(index, health),
        message: describeHealth(labelOf(check, index), health, rules),
      });
    });
    for (const check of task.readinessChecks) {
      const status = check.httpStatusCodesForReady[0] ?? 200;
      report({
        kind: 'readiness',
        readiness: { name: check.name, ready: true, lastResponse: { status, contentType: 'text/plain', body: '' } },
        message: `readiness check ${check.name}: ready (simulated)`,
      });
    }
    if (task.healthChecks.length > 0) this.counts.healthy++;
  }

  private failAll(
    task: CheckedTask,
    report: (report: CheckReport) => void,
    after: (ms: number, fn: () => void) => void,
  ): void {
    if (task.healthChecks.length > 0) this.counts.unhealthy++;
    task.healthChecks.forEach((check, index) => {
      const rules = rulesOf(check, task);
      const intervalMs = Math.max(check.intervalSeconds * 1000, MIN_CHECK_INTERVAL_MS);
      let health = INITIAL_HEALTH;
      const failOnce = () => {
        const step = recordResult(
          health,
          { ok: false, at: this.settings.clock.now(), cause: SIMULATED_FAILURE_CAUSE },
          rules,
        );
        health = step.health;
        if (step.report) {
          report({
            kind: 'health',
            health: healthReport(index, health),
            message: describeHealth(labelOf(check, index), health, rules),
          });
        }
        // With maxConsecutiveFailures 0 nothing after the first failure would be reported.
        if (!step.exhausted && rules.maxConsecutiveFailures > 0) after(intervalMs, failOnce);
      };
      failOnce();
    });
  }
}

function rulesOf(check: HealthCheckSpec, task: CheckedTask): HealthRules {
  return { gracePeriodMs: 0, maxConsecutiveFailures: check.maxConsecutiveFailures, runningSince: task.runningSince };
}

function labelOf(check: HealthCheckSpec, index: number): string {
  return `health check ${index} (${check.protocol}, simulated)`;
}
