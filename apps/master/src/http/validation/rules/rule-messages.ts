/**
 * Semantic-layer messages, verbatim from Marathon's validators where Marathon has one
 * (api/v2/validation/*.scala, state/PathId.scala, state/UnreachableStrategy.scala at HEAD;
 * notes §2.3). Clients and people search for these strings, so keep them exact.
 */
export const RuleMessages = {
  cmdArgsOrContainer: "AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'.",
  versionOnlyWithId: "The 'version' field may only be combined with the 'id' field.",
  portsAndPortDefinitions: 'cannot specify both ports and port definitions',
  legacyPortsUnique: 'ports must be unique',
  portsUnique: 'Ports must be unique.',
  portNamesUnique: 'Port names must be unique.',
  bothPortMappings: 'cannot specify both portMappings and docker.portMappings',
  portMappingsWithHostNetworking: 'portMappings are not allowed with host-networking',
  portDefinitionsWithoutHostNetworking: 'portDefinitions are only allowed with host-networking',
  dockerNetworkAndNetworks: 'must not specify both container.docker.network and networks',
  dockerSingleContainerNetwork: 'may only specify a single container network when using the Docker container engine',
  notDefined: 'not defined',
  pullConfigWithDocker: 'pullConfig is not supported with Docker containerizer',
  healthCheckPortIndex:
    'Health check port indices must address an element of the ports array or container port mappings.',
  healthCheckIpv6: 'IPv6 can only be used for container type DOCKER and Mesos http/https/tcp health checks',
  oneMesosHealthCheck: 'AppDefinition can contain at most one Mesos health check',
  commandWithOtherProtocol: (protocol: string) => `illegal protocol ${protocol} specified with command`,
  // Marathon fails this while converting, without a validator message of its own.
  commandHealthCheckNeedsCommand: 'a COMMAND health check needs a command: {"command": {"value": "..."}}',
  readinessPortName: (name: string) => `No port definition reference for portName ${name}`,
  atMost: (count: number, max: number) => `got ${count}, expected ${max} or less`,
  lessThan: (value: number, bound: number) => `got ${value}, expected less than ${bound}`,
  equalTo: (value: number, expected: number) => `got ${value}, expected ${expected}`,
  urisWithFetch: 'may not be set in conjunction with fetch',
  uriSyntax: 'URI has invalid syntax.',
  inactiveAfterExpunge: (inactive: number, expunge: number) =>
    `inactiveAfterSeconds (${inactive}) must be less or equal to expungeAfterSeconds, which is ${expunge}`,
  singleInstance: 'Single instance app may only have one instance',
  undefinedSecret: 'references an undefined secret',
  notEmpty: 'must not be empty',
  residentUnreachable: 'unreachableStrategy must be disabled for resident tasks',
  gpusWithDocker: 'GPU resources only work with the Mesos containerizer',
  constraintFields: 'Each constraint must have either 2 or 3 fields',
  constraintSpecification: 'illegal constraint specification',
  constraintOperator: 'operator must be one of the following UNIQUE, CLUSTER, GROUP_BY, LIKE, MAX_PER, UNLIKE or IS',
  constraintUniqueValue: 'UNIQUE does not accept a value',
  constraintGroupBy: 'GROUP BY must define an integer value or else no value at all',
  constraintMaxPer: 'MAX_PER requires an integer value',
  constraintLikeValue: 'LIKE and UNLIKE require a non-empty, regular expression value',
  constraintRegex: 'is not a valid regular expression',
  constraintIs:
    'IS only supports Mesos text and float values (see http://mesos.apache.org/documentation/latest/attributes-resources/)',
} as const;
