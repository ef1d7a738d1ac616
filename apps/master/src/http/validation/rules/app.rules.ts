import type { AppDefinitionDto } from '../dto/app-definition.dto';
import type { DetailsCollector } from '../validation-details';
import { containerType } from './app-networking';
import { RuleMessages } from './rule-messages';
import type { RuleScope } from './rule-scope';

const SINGLE_INSTANCE_LABEL = 'MARATHON_SINGLE_INSTANCE_APP';
// java.net.URI rejects these; Marathon answers "URI has invalid syntax." for them.
const URI_ILLEGAL_CHARACTERS = /[\s<>"{}|\\^`\u0000-\u001f\u007f]/;

/** App-wide rules (AppValidation.validBasicAppDefinition and friends) other than ports and checks. */
export function checkAppRules(app: AppDefinitionDto, details: DetailsCollector, scope: RuleScope): void {
  checkCommand(app, details, scope);
  checkContainer(app, details, scope);
  checkArtifacts(app, details);
  checkUnreachableStrategy(app, details);
  checkSingleInstance(app, details);
  checkSecretReferences(app, details, scope);
  if (app.acceptedResourceRoles !== undefined && app.acceptedResourceRoles.length === 0) {
    details.add('/acceptedResourceRoles', RuleMessages.notEmpty);
  }
}

/**
 * Exactly one of `cmd` and `args`, or a container with an image (Marathon:
 * `(cmd ^ args) || (!(cmd && args) && container)`). A patch need not say how to run the app,
 * but it must not set both.
 */
function checkCommand(app: AppDefinitionDto, details: DetailsCollector, scope: RuleScope): void {
  const hasCmd = app.cmd !== undefined && app.cmd.length > 0;
  const hasArgs = app.args !== undefined && app.args.length > 0;
  const type = containerType(app);
  const runnableContainer = (app.container?.docker !== undefined && type !== undefined) || type === 'MESOS';
  const valid = hasCmd !== hasArgs || (!(hasCmd && hasArgs) && (runnableContainer || !scope.wholeApp));
  if (!valid) details.add('/', RuleMessages.cmdArgsOrContainer);
}

function checkContainer(app: AppDefinitionDto, details: DetailsCollector, scope: RuleScope): void {
  const type = containerType(app);
  if (type === 'DOCKER') {
    if (app.container?.docker === undefined) details.add('/container/docker', RuleMessages.notDefined);
    if (app.container?.docker?.pullConfig !== undefined) {
      details.add('/container/docker/pullConfig', RuleMessages.pullConfigWithDocker);
    }
  }
  if (scope.wholeApp && (app.gpus ?? 0) > 0 && type === 'DOCKER') details.add('/', RuleMessages.gpusWithDocker);
  if (app.residency !== undefined && app.unreachableStrategy !== undefined && app.unreachableStrategy !== 'disabled') {
    details.add('/', RuleMessages.residentUnreachable);
  }
}

function checkArtifacts(app: AppDefinitionDto, details: DetailsCollector): void {
  app.uris?.forEach((uri, index) => {
    if (URI_ILLEGAL_CHARACTERS.test(uri)) details.add(`/uris(${index})`, RuleMessages.uriSyntax);
  });
  app.fetch?.forEach((artifact, index) => {
    if (URI_ILLEGAL_CHARACTERS.test(artifact.uri)) details.add(`/fetch(${index})/uri`, RuleMessages.uriSyntax);
  });
  if ((app.uris?.length ?? 0) > 0 && (app.fetch?.length ?? 0) > 0) details.add('/uris', RuleMessages.urisWithFetch);
}

function checkUnreachableStrategy(app: AppDefinitionDto, details: DetailsCollector): void {
  const strategy = app.unreachableStrategy;
  if (strategy === undefined || strategy === 'disabled') return;
  // Both default to 0 (notes §2.1).
  const inactive = strategy.inactiveAfterSeconds ?? 0;
  const expunge = strategy.expungeAfterSeconds ?? 0;
  if (inactive > expunge) {
    details.add('/unreachableStrategy/inactiveAfterSeconds', RuleMessages.inactiveAfterExpunge(inactive, expunge));
  }
}

/** `MARATHON_SINGLE_INSTANCE_APP=true`: at most one instance, and an upgrade that never overlaps. */
function checkSingleInstance(app: AppDefinitionDto, details: DetailsCollector): void {
  if (app.labels?.[SINGLE_INSTANCE_LABEL] !== 'true') return;
  if ((app.instances ?? 0) > 1) details.add('/', RuleMessages.singleInstance);
  const strategy = app.upgradeStrategy;
  if (strategy?.minimumHealthCapacity !== undefined && strategy.minimumHealthCapacity !== 0) {
    details.add('/upgradeStrategy/minimumHealthCapacity', RuleMessages.equalTo(strategy.minimumHealthCapacity, 0));
  }
  if (strategy?.maximumOverCapacity !== undefined && strategy.maximumOverCapacity !== 0) {
    details.add('/upgradeStrategy/maximumOverCapacity', RuleMessages.equalTo(strategy.maximumOverCapacity, 0));
  }
}

/** An env entry `{ "secret": "name" }` must name a declared secret (a patch may rely on stored ones). */
function checkSecretReferences(app: AppDefinitionDto, details: DetailsCollector, scope: RuleScope): void {
  if (app.env === undefined || (!scope.wholeApp && app.secrets === undefined)) return;
  const declared = new Set(Object.keys(app.secrets ?? {}));
  for (const [name, value] of Object.entries(app.env)) {
    if (typeof value === 'object' && !declared.has(value.secret)) {
      details.add(`/env/${name}/secret`, RuleMessages.undefinedSecret);
    }
  }
}
