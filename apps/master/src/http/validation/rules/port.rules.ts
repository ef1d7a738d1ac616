import type { AppDefinitionDto } from '../dto/app-definition.dto';
import type { DetailsCollector } from '../validation-details';
import { containerType } from './app-networking';
import { RuleMessages } from './rule-messages';

/**
 * Port and networking rules (AppValidation: portDefinitionsValidator, portMappingsValidator,
 * validateOldAppAPI, validateCanonicalAppAPI). They only look at fields present in the body,
 * so they hold for partial updates too.
 */
export function checkPorts(app: AppDefinitionDto, details: DetailsCollector): void {
  checkLegacyPorts(app, details);
  if (app.portDefinitions !== undefined) {
    if (hasDuplicates(app.portDefinitions.map((definition) => definition.name).filter(isDefined))) {
      details.add('/portDefinitions', RuleMessages.portNamesUnique);
    }
    if (hasDuplicates(app.portDefinitions.map((definition) => definition.port ?? 0).filter(isFixedPort))) {
      details.add('/portDefinitions', RuleMessages.portsUnique);
    }
  }
  checkPortMappings(app, details);
  checkNetworks(app, details);
}

function checkLegacyPorts(app: AppDefinitionDto, details: DetailsCollector): void {
  if (app.ports === undefined) return;
  if (hasDuplicates(app.ports.filter(isFixedPort))) details.add('/', RuleMessages.legacyPortsUnique);
  // Marathon tolerates both when they say the same thing (a GET response sent back carries both).
  const definitionPorts = app.portDefinitions?.map((definition) => definition.port ?? 0);
  const equivalent = definitionPorts !== undefined && sameNumbers(definitionPorts, app.ports);
  if (app.portDefinitions !== undefined && !equivalent) details.add('/', RuleMessages.portsAndPortDefinitions);
}

function checkPortMappings(app: AppDefinitionDto, details: DetailsCollector): void {
  const container = app.container;
  if (container === undefined) return;
  const dockerMappings = container.docker?.portMappings;
  if (container.portMappings !== undefined && container.portMappings.length > 0 && (dockerMappings?.length ?? 0) > 0) {
    details.add('/container', RuleMessages.bothPortMappings);
  }
  if (hasDuplicates((container.portMappings ?? []).map((mapping) => mapping.name).filter(isDefined))) {
    details.add('/container/portMappings', RuleMessages.portNamesUnique);
  }
  if (hasDuplicates((dockerMappings ?? []).map((mapping) => mapping.name).filter(isDefined))) {
    details.add('/container/docker/portMappings', RuleMessages.portNamesUnique);
  }
}

/**
 * Rules on explicit `networks`. Marathon's normalisation silently drops port definitions and
 * mappings that contradict the deprecated `docker.network`, so only explicit networks are judged.
 */
function checkNetworks(app: AppDefinitionDto, details: DetailsCollector): void {
  const networks = app.networks;
  if (networks === undefined || networks.length === 0) return;
  if (app.container?.docker?.network !== undefined) details.add('/', RuleMessages.dockerNetworkAndNetworks);
  const modes = networks.map((network) => network.mode ?? 'container');
  const mappings = app.container?.portMappings ?? app.container?.docker?.portMappings ?? [];
  if (modes.includes('host') && mappings.length > 0) details.add('/', RuleMessages.portMappingsWithHostNetworking);
  if (modes.some((mode) => mode !== 'host') && (app.portDefinitions?.length ?? 0) > 0) {
    details.add('/', RuleMessages.portDefinitionsWithoutHostNetworking);
  }
  if (containerType(app) === 'DOCKER' && modes.filter((mode) => mode === 'container').length > 1) {
    details.add('/', RuleMessages.dockerSingleContainerNetwork);
  }
}

/** Port 0 asks Marathon to pick one, so any number of them may appear. */
function isFixedPort(port: number): boolean {
  return port !== 0;
}

function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}

function hasDuplicates(values: readonly unknown[]): boolean {
  return new Set(values).size !== values.length;
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}
