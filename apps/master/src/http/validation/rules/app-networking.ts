import type { AppDefinitionDto } from '../dto/app-definition.dto';
import { DEFAULT_CONTAINER_TYPE } from '../dto/container.dto';
import type { PortMappingDto } from '../dto/port-definition.dto';

/**
 * How Marathon's normalisation (AppNormalization) would see an app's networking and ports,
 * computed without changing the body: the semantic rules about ports depend on it.
 */

/** The name Marathon gives its default port definition and default port mapping. */
export const DEFAULT_PORT_NAME = 'default';

/**
 * True when the app's tasks get their own network namespace: explicit `networks` with a
 * non-host mode (RAML default mode is `container`), or, without `networks`, the deprecated
 * `container.docker.network` BRIDGE or USER.
 */
export function usesContainerNetworking(app: AppDefinitionDto): boolean {
  if (app.networks !== undefined && app.networks.length > 0) {
    return app.networks.some((network) => (network.mode ?? 'container') !== 'host');
  }
  const dockerNetwork = app.container?.docker?.network;
  return dockerNetwork === 'BRIDGE' || dockerNetwork === 'USER';
}

/** `container.portMappings`, or the deprecated `container.docker.portMappings` it replaces. */
export function portMappingsOf(app: AppDefinitionDto): PortMappingDto[] | undefined {
  return app.container?.portMappings ?? app.container?.docker?.portMappings;
}

/**
 * The names of the ports a task will have, in index order (`undefined` for an unnamed port).
 * Without explicit ports Marathon adds one default port (definition or mapping) named "default".
 */
export function effectivePortNames(app: AppDefinitionDto): (string | undefined)[] {
  if (usesContainerNetworking(app)) {
    const mappings = portMappingsOf(app);
    return mappings === undefined ? [DEFAULT_PORT_NAME] : mappings.map((mapping) => mapping.name);
  }
  if (app.portDefinitions !== undefined) return app.portDefinitions.map((definition) => definition.name);
  if (app.ports !== undefined) return app.ports.map(() => undefined);
  return [DEFAULT_PORT_NAME];
}

export function containerType(app: AppDefinitionDto): string | undefined {
  return app.container === undefined ? undefined : (app.container.type ?? DEFAULT_CONTAINER_TYPE);
}
