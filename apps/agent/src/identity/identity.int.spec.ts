import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentCheckpointError, WorkDirLockedError } from '../agent-errors';
import { tempWorkDir } from '../executor/executor-test-support';
import { AGENT_CHECKPOINT_FILE, readAgentCheckpoint, writeAgentCheckpoint } from './agent-checkpoint';
import { LOCK_FILE, lockWorkDir } from './work-dir-lock';

const work = tempWorkDir();
afterAll(() => work.remove());

let dirs = 0;
function aWorkDir(): string {
  const dir = join(work.dir, `agent-${dirs++}`);
  mkdirSync(dir);
  return dir;
}

describe('lockWorkDir', () => {
  it('lets one agent at a time use a work dir', async () => {
    const dir = aWorkDir();
    const lock = await lockWorkDir(dir);
    await expect(lockWorkDir(dir)).rejects.toBeInstanceOf(WorkDirLockedError);
    await lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    const again = await lockWorkDir(dir);
    await again.release();
  });

  it("takes over the lock of an agent that died (its pid is gone, or now another process's)", async () => {
    for (const stale of ['999999999 12345\n', `${process.pid} -7\n`, 'garbage']) {
      const dir = aWorkDir();
      writeFileSync(join(dir, LOCK_FILE), stale);
      const lock = await lockWorkDir(dir);
      expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toMatch(new RegExp(`^${process.pid} \\d+\\n$`));
      await lock.release();
    }
  });
});

describe('agent checkpoint', () => {
  it('is absent on a new agent, and keeps the id it is given', async () => {
    const dir = aWorkDir();
    expect(await readAgentCheckpoint(dir)).toBeUndefined();
    await writeAgentCheckpoint(dir, 'agent-7', 'http://127.0.0.1:8080');
    expect(await readAgentCheckpoint(dir)).toEqual({
      formatVersion: 1,
      agentId: 'agent-7',
      registeredWith: 'http://127.0.0.1:8080',
    });
  });

  it.each(['{"agentId":', '{"formatVersion":2,"agentId":"a"}', '{"formatVersion":1,"agentId":""}'])(
    'refuses to start over an unusable checkpoint %p (rather than register as a new agent)',
    async (text) => {
      const dir = aWorkDir();
      writeFileSync(join(dir, AGENT_CHECKPOINT_FILE), text);
      await expect(readAgentCheckpoint(dir)).rejects.toBeInstanceOf(AgentCheckpointError);
    },
  );
});
