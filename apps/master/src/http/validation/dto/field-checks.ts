import {
  isPlainObject,
  jsonArrayOf,
  jsonEnum,
  jsonInt,
  jsonMapOf,
  jsonNumber,
  jsonObjectWith,
  jsonOneOf,
  jsonString,
  shapeCheck,
  JsonError,
  ShapeCheck,
} from '../json-shape';

/** Shape checks for RAML types that several DTOs share (stringTypes.raml, label.raml, ...). */

/** RAML `LegacyName`: port and readiness-check port names. */
export const jsonLegacyName = jsonString({ minLength: 1, pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/ });

/** RAML `Name`: container network names referenced by port mappings. */
export const jsonName = jsonString({ minLength: 1, maxLength: 63, pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/ });

/** RAML `NetworkName`. */
export const jsonNetworkName = jsonString({ minLength: 1, maxLength: 63, pattern: /^[a-z0-9]([-a-z0-9_]*[a-z0-9])?$/ });

/** RAML `Uri` and `Path`: 1 to 1024 characters. */
export const jsonUri = jsonString({ minLength: 1, maxLength: 1024 });
export const jsonSandboxPath = jsonUri;

/** RAML `KVLabels`: string values only. */
export const jsonLabels = jsonMapOf(jsonString());

export const jsonNetworkProtocol = jsonEnum(['tcp', 'udp', 'udp,tcp']);

export const jsonSeconds = jsonInt({ min: 0 });

/** An app constraint before its semantic rules: an array of strings (count and operator are semantic). */
export const jsonConstraint = jsonArrayOf(jsonString());

/** `env` values: a string, or a reference to a declared secret, `{ "secret": "<name>" }`. */
const jsonEnvSecretRef = jsonObjectWith({ secret: { check: jsonString(), required: true } });
export const jsonEnv = jsonMapOf(
  jsonOneOf([jsonString(), jsonEnvSecretRef], (value) => (isPlainObject(value) ? jsonEnvSecretRef : jsonString())),
);

/** `secrets`: name → `{ "source": "<store reference>" }`. */
export const jsonSecrets = jsonMapOf(
  jsonObjectWith({ source: { check: jsonString({ minLength: 1 }), required: true } }),
);

/** `unreachableStrategy`: the literal "disabled" or `{ inactiveAfterSeconds, expungeAfterSeconds }`. */
const jsonUnreachableEnabled = jsonObjectWith({
  inactiveAfterSeconds: { check: jsonSeconds },
  expungeAfterSeconds: { check: jsonSeconds },
});
const jsonUnreachableDisabled = jsonEnum(['disabled']);
export const jsonUnreachableStrategy: ShapeCheck = jsonOneOf(
  [jsonUnreachableDisabled, jsonUnreachableEnabled],
  (value) => (typeof value === 'string' ? jsonUnreachableDisabled : jsonUnreachableEnabled),
);

/** The executor pattern of app.raml, as a whole-string match. */
export const jsonExecutor = jsonString({ pattern: /^(?:\/\/cmd|\/?[^/]+(\/[^/]+)*|)$/ });

/** `resourceLimits` (1.11): each limit is a number ≥ 0 or "unlimited". */
const jsonLimit: ShapeCheck = shapeCheck(
  { oneOf: [{ type: 'string', enum: ['unlimited'] }, jsonNumber({ min: 0 }).schema] },
  (value) => {
    if (value === 'unlimited') return [];
    if (typeof value === 'string') return [{ at: '', error: JsonError.enumLiteral }];
    return jsonNumber({ min: 0 })(value);
  },
);
export const jsonResourceLimits = jsonObjectWith({ cpus: { check: jsonLimit }, mem: { check: jsonLimit } });

export const jsonExecutorResources = jsonObjectWith({
  cpus: { check: jsonNumber({ min: 0 }) },
  mem: { check: jsonNumber({ min: 0 }) },
  disk: { check: jsonNumber({ min: 0 }) },
});

/** `residency`: deprecated and without effect, but its presence marks a resident app. */
export const jsonResidency = jsonObjectWith({
  relaunchEscalationTimeoutSeconds: { check: jsonSeconds },
  taskLostBehavior: { check: jsonEnum(['WAIT_FOREVER', 'RELAUNCH_AFTER_TIMEOUT']) },
});

/** Legacy `ipAddress` (replaced by `networks`): only the members' types are checked. */
export const jsonIpAddress = jsonObjectWith({
  discovery: { check: jsonObjectWith({ ports: { check: jsonArrayOf(jsonObjectWith({})) } }) },
  groups: { check: jsonArrayOf(jsonString()) },
  labels: { check: jsonLabels },
  networkName: { check: jsonString({ minLength: 1 }) },
});
