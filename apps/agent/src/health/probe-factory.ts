import { inheritedEnvironment, marathonEnvironment } from '../executor';
import type { HealthCheckSpec, ReadinessCheckSpec } from '../protocol/agent-protocol';
import { checkPort, checkPortProblem, httpPath, probeKindOf } from './check-target';
import type { Probe, ProbeOutcome, ReadinessOutcome } from './probe';
import { commandProbe } from './probes/command-probe';
import { httpHealthProbe, httpReadinessProbe } from './probes/http-probe';
import { tcpProbe } from './probes/tcp-probe';
import type { CheckedTask } from './task-checks';

/** Builds each check's probe once, when its task's checks start. */
export interface ProbeFactory {
  health(check: HealthCheckSpec, task: CheckedTask): Probe<ProbeOutcome>;
  readiness(check: ReadinessCheckSpec, task: CheckedTask): Probe<ReadinessOutcome>;
}

export interface RealProbeSettings {
  /** What a COMMAND check inherits under the task's variables; default this process's env minus CAIRN_*. */
  inheritedEnv?: Record<string, string>;
  shellPath?: string;
}

/** The probes that touch the task: over loopback, or as a command in its sandbox. */
export function realProbes(settings: RealProbeSettings = {}): ProbeFactory {
  const inherited = settings.inheritedEnv ?? inheritedEnvironment(process.env);
  return {
    health(check, task) {
      const kind = probeKindOf(check.protocol);
      if (kind === 'COMMAND') {
        return commandProbe({
          command: check.command ?? '',
          // As the executor builds the task's (executor/task-environment.ts): PORT0.., HOST, MESOS_SANDBOX, app env.
          env: { ...inherited, ...marathonEnvironment(task.spec, { sandboxDir: task.sandboxDir }) },
          cwd: task.sandboxDir,
          shellPath: settings.shellPath,
        });
      }
      const port = checkPort(check, task.spec.ports);
      if (port === undefined) {
        // The launch schema refuses such a check; one read back from an old checkpoint fails visibly.
        const cause = checkPortProblem(check, task.spec.ports) ?? 'no port';
        return async () => ({ kind: 'failure', cause });
      }
      if (kind === 'TCP') return tcpProbe(port);
      return httpHealthProbe(
        { scheme: kind === 'HTTPS' ? 'https' : 'http', port, path: httpPath(check.path) },
        check.ignoreHttp1xx,
      );
    },
    readiness(check, task) {
      const port = task.spec.ports[check.portIndex];
      if (port === undefined) {
        const cause = `portIndex ${check.portIndex} names no port`;
        return async () => ({ kind: 'failure', cause });
      }
      return httpReadinessProbe({
        scheme: check.protocol === 'HTTPS' ? 'https' : 'http',
        port,
        path: httpPath(check.path),
      });
    },
  };
}
