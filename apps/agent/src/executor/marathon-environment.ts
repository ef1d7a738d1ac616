import type { TaskSpec } from './task-spec';

/**
 * The environment Marathon and Mesos give a task, built as Marathon's TaskBuilder.commandInfo does
 * (mesosphere/marathon `src/main/scala/mesosphere/mesos/TaskBuilder.scala`, `EnvironmentHelper.portsEnv`):
 *
 *   env = MESOS_SANDBOX  ++  task context  ++  ports + HOST  ++  app env      (later wins)
 *
 * so the app's own `env` overrides every generated variable, as in Marathon (a Scala `Map ++`
 * keeps the right-hand value). MESOS_SANDBOX comes from the Mesos agent, under the task's
 * CommandInfo environment, hence first. Names are exported as Marathon spells them, including
 * `PORT_<NAME>` upper-cased without further escaping (a name like `http-api` gives `PORT_HTTP-API`,
 * which `env` shows but a shell cannot expand: Marathon does the same).
 */
export function marathonEnvironment(spec: TaskSpec, options: { sandboxDir?: string } = {}): Record<string, string> {
  return {
    ...(options.sandboxDir === undefined ? {} : { MESOS_SANDBOX: options.sandboxDir }),
    MESOS_TASK_ID: spec.taskId,
    MARATHON_APP_ID: spec.appId,
    MARATHON_APP_VERSION: spec.appVersion,
    ...portsEnvironment(spec.ports, spec.requestedPorts, spec.portNames),
    HOST: spec.host,
    ...spec.env,
  };
}

/**
 * PORT0..n, PORT_<declared or assigned>, PORT_<NAME>, PORT (= PORT0), PORTS (comma list); nothing
 * at all when no port was assigned (Marathon returns an empty map, so not even `PORTS=`).
 */
export function portsEnvironment(
  ports: readonly number[],
  requestedPorts: readonly number[] = [],
  portNames: readonly (string | undefined)[] = [],
): Record<string, string> {
  if (ports.length === 0) return {};
  const env: Record<string, string> = {};
  ports.forEach((port, index) => {
    env[`PORT${index}`] = String(port);
  });
  ports.forEach((port, index) => {
    // A declared non-zero port is exported under its declared number; a dynamic one (0) under itself.
    const declared = requestedPorts[index] ?? 0;
    env[`PORT_${declared === 0 ? port : declared}`] = String(port);
  });
  ports.forEach((port, index) => {
    const name = portNames[index];
    if (name) env[`PORT_${name.toUpperCase()}`] = String(port);
  });
  env.PORT = String(ports[0]);
  env.PORTS = ports.join(',');
  return env;
}
