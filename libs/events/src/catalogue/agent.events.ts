import { z } from 'zod';
import { taskStateSchema } from './task-state.schema';

/** Resources as agents advertise them and tasks use them; ports are inclusive ranges. */
export const resourcesSchema = z.object({
  cpus: z.number().min(0),
  mem: z.number().min(0),
  disk: z.number().min(0),
  ports: z.array(z.tuple([z.number().int().min(0).max(65535), z.number().int().min(0).max(65535)])),
});

const agentInfo = {
  agentId: z.string().min(1),
  hostname: z.string().min(1),
  /** The agent's sandbox file server, proxied by the master. */
  filesPort: z.number().int().min(0).max(65535),
  resources: resourcesSchema,
  attributes: z.record(z.string(), z.string()),
  /** Container types it can run (`MESOS` = plain processes). */
  capabilities: z.array(z.string()),
};

/** A new agent joined; the master assigned its id. Key: the agent id. */
export const agentRegisteredV1 = z.object(agentInfo);

/** A known agent came back (agent or master restart) with the tasks it runs. Key: the agent id. */
export const agentReregisteredV1 = z.object({
  ...agentInfo,
  tasks: z.array(z.object({ taskId: z.string().min(1), state: taskStateSchema })),
});

/** The agent's command stream closed. Its tasks keep their state until it is unreachable. */
export const agentDisconnectedV1 = z.object({ agentId: z.string().min(1) });

/** The agent stayed away past the timeout: its tasks are replaced elsewhere. */
export const agentUnreachableV1 = z.object({ agentId: z.string().min(1) });

/**
 * Maintenance starts (Mesos's DRAIN_AGENT, Nomad's node drain): nothing more is placed on the agent,
 * and its tasks are replaced elsewhere by the deployments of the same decision, which honour each
 * app's `upgradeStrategy`. `deadline` (absolute, decided once from the command's time; null: none):
 * what still runs there then is killed. Key: the agent id.
 */
export const agentDrainStartedV1 = z.object({
  agentId: z.string().min(1),
  deadline: z.string().nullable(),
  /** The deployments started to move its tasks (one per command today; empty when it ran none). */
  deploymentIds: z.array(z.string().min(1)),
});

/** The drain's end: no task is left on the agent. It stays out of placement until reactivated. Key: the agent id. */
export const agentDrainedV1 = z.object({ agentId: z.string().min(1) });

/** Maintenance is over (Mesos's REACTIVATE_AGENT): placement may use the agent again. Key: the agent id. */
export const agentReactivatedV1 = z.object({ agentId: z.string().min(1) });
