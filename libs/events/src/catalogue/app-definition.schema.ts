import { z } from 'zod';

/**
 * An app as recorded in events: Marathon's AppDefinition after `decide` filled its defaults
 * and assigned its version. Recording the filled-in definition means replay never depends on
 * a later release's defaults. Unknown fields are kept (Marathon clients send fields Cairn does
 * not act on yet), hence a loose object.
 */
export const portDefinitionSchema = z.looseObject({
  port: z.number().int().min(0).max(65535),
  protocol: z.string(),
  name: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
});

export const upgradeStrategySchema = z.object({
  minimumHealthCapacity: z.number().min(0).max(1),
  maximumOverCapacity: z.number().min(0).max(1),
});

export const versionInfoSchema = z.object({
  lastScalingAt: z.string(),
  lastConfigChangeAt: z.string(),
});

export const appDefinitionSchema = z.looseObject({
  id: z.string().startsWith('/'),
  cmd: z.string().optional(),
  args: z.array(z.string()).optional(),
  cpus: z.number().min(0),
  mem: z.number().min(0),
  disk: z.number().min(0),
  gpus: z.number().int().min(0),
  instances: z.number().int().min(0),
  env: z.record(z.string(), z.unknown()),
  labels: z.record(z.string(), z.string()),
  constraints: z.array(z.array(z.string())),
  portDefinitions: z.array(portDefinitionSchema),
  requirePorts: z.boolean(),
  healthChecks: z.array(z.record(z.string(), z.unknown())),
  backoffSeconds: z.number().min(0),
  backoffFactor: z.number().min(1),
  maxLaunchDelaySeconds: z.number().min(0),
  upgradeStrategy: upgradeStrategySchema,
  killSelection: z.enum(['YOUNGEST_FIRST', 'OLDEST_FIRST']),
  version: z.string(),
  versionInfo: versionInfoSchema,
});

export type AppDefinition = z.infer<typeof appDefinitionSchema>;
