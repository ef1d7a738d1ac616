import type { AppDefinitionDto } from '../dto/app-definition.dto';
import type { HealthCheckDto } from '../dto/health-check.dto';
import { READINESS_DEFAULTS } from '../dto/readiness-check.dto';
import type { DetailsCollector } from '../validation-details';
import { containerType, effectivePortNames } from './app-networking';
import { RuleMessages } from './rule-messages';
import type { RuleScope } from './rule-scope';

/** Health checks Marathon itself runs: they need a port to talk to. */
const MARATHON_PROTOCOLS = new Set(['HTTP', 'HTTPS', 'TCP']);
/** Health checks the agent runs (Mesos-level). */
const MESOS_PROTOCOLS = new Set(['COMMAND', 'MESOS_HTTP', 'MESOS_HTTPS', 'MESOS_TCP']);
const MAX_READINESS_CHECKS = 1;

/** Health- and readiness-check rules (AppValidation: portIndexIsValid, complyWithReadinessCheckRules, ...). */
export function checkHealthAndReadiness(app: AppDefinitionDto, details: DetailsCollector, scope: RuleScope): void {
  if (app.healthChecks !== undefined) checkHealthChecks(app, app.healthChecks, details, scope);
  checkReadinessChecks(app, details, scope);
}

function checkHealthChecks(
  app: AppDefinitionDto,
  checks: HealthCheckDto[],
  details: DetailsCollector,
  scope: RuleScope,
): void {
  // Old apps with several COMMAND checks stay valid, so command checks are not counted.
  const mesosChecks = checks.filter((check) => check.command === undefined && MESOS_PROTOCOLS.has(protocolOf(check)));
  if (mesosChecks.length > 1) details.add('/', RuleMessages.oneMesosHealthCheck);
  const portCount = effectivePortNames(app).length;
  checks.forEach((check, index) => {
    const path = `/healthChecks(${index})`;
    const protocol = protocolOf(check);
    if (check.command !== undefined && protocol !== 'COMMAND')
      details.add(path, RuleMessages.commandWithOtherProtocol(protocol));
    if (check.command === undefined && protocol === 'COMMAND')
      details.add(path, RuleMessages.commandHealthCheckNeedsCommand);
    // The next two depend on the app's ports and container: a partial update may not carry them.
    if (!scope.wholeApp) return;
    if (!addressesAPort(check, protocol, portCount)) details.add(path, RuleMessages.healthCheckPortIndex);
    const mesosOnDocker = protocol.startsWith('MESOS_') && containerType(app) === 'DOCKER';
    if (check.ipProtocol === 'IPv6' && !mesosOnDocker) details.add(path, RuleMessages.healthCheckIpv6);
  });
}

/**
 * Marathon's rule: an explicit `portIndex` must exist; without one, an explicit `port` will do,
 * and otherwise normalisation points the check at port 0, which must exist.
 */
function addressesAPort(check: HealthCheckDto, protocol: string, portCount: number): boolean {
  if (check.command !== undefined || !MARATHON_PROTOCOLS.has(protocol)) return true;
  if (check.portIndex !== undefined) return check.portIndex < portCount;
  return check.port !== undefined || portCount > 0;
}

function checkReadinessChecks(app: AppDefinitionDto, details: DetailsCollector, scope: RuleScope): void {
  const checks = app.readinessChecks;
  if (checks === undefined) return;
  if (checks.length > MAX_READINESS_CHECKS) {
    details.add('/readinessChecks', RuleMessages.atMost(checks.length, MAX_READINESS_CHECKS));
  }
  const portNames = new Set(effectivePortNames(app));
  checks.forEach((check, index) => {
    const path = `/readinessChecks(${index})`;
    const timeoutSeconds = check.timeoutSeconds ?? READINESS_DEFAULTS.timeoutSeconds;
    const intervalSeconds = check.intervalSeconds ?? READINESS_DEFAULTS.intervalSeconds;
    if (timeoutSeconds >= intervalSeconds) {
      details.add(`${path}/timeoutSeconds`, RuleMessages.lessThan(timeoutSeconds, intervalSeconds));
    }
    // RAML's default portName is "http-api", which must then exist too.
    const portName = check.portName ?? 'http-api';
    if (scope.wholeApp && !portNames.has(portName)) {
      details.add(`${path}/portName`, RuleMessages.readinessPortName(portName));
    }
  });
}

function protocolOf(check: HealthCheckDto): string {
  return check.protocol ?? 'HTTP';
}
