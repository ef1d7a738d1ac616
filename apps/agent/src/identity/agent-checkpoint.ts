import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { AgentCheckpointError } from '../agent-errors';

export const AGENT_CHECKPOINT_FILE = 'agent.json';
const FORMAT_VERSION = 1;

/** `<workDir>/agent.json`: the id the master gave this agent, so a restart re-registers as the same agent. */
export interface AgentCheckpoint {
  formatVersion: typeof FORMAT_VERSION;
  agentId: string;
  /** The master's URL that assigned it (for people reading the file). */
  registeredWith: string;
}

/** The checkpoint, or undefined on a new agent; throws AgentCheckpointError when it exists but is unusable. */
export async function readAgentCheckpoint(workDir: string): Promise<AgentCheckpoint | undefined> {
  const file = join(workDir, AGENT_CHECKPOINT_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new AgentCheckpointError({ file, reason: String(error) });
  }
  let parsed: Partial<AgentCheckpoint>;
  try {
    parsed = JSON.parse(text) as Partial<AgentCheckpoint>;
  } catch (error) {
    throw new AgentCheckpointError({ file, reason: `not JSON: ${(error as Error).message}` });
  }
  if (parsed.formatVersion !== FORMAT_VERSION || typeof parsed.agentId !== 'string' || parsed.agentId === '') {
    throw new AgentCheckpointError({ file, reason: `unsupported content (format ${String(parsed.formatVersion)})` });
  }
  return parsed as AgentCheckpoint;
}

/** Written to a temporary name, fsynced, renamed: a crash leaves the old id or the new one. */
export async function writeAgentCheckpoint(workDir: string, agentId: string, registeredWith: string): Promise<void> {
  const target = join(workDir, AGENT_CHECKPOINT_FILE);
  const checkpoint: AgentCheckpoint = { formatVersion: FORMAT_VERSION, agentId, registeredWith };
  const file = await open(`${target}.tmp`, 'w');
  try {
    await file.writeFile(JSON.stringify(checkpoint, null, 2) + '\n');
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(`${target}.tmp`, target);
}
