import { SystemClock } from '@cairn/common';
import { describeTaskExecutorContract } from '../testing/task-executor.contract';
import { aTaskSpec, GroupSweeper, runPrefix, tempWorkDir } from './executor-test-support';
import { ProcessExecutor } from './process-executor';

// Real processes: every task's group is swept after each test, and the sweep checks that nothing
// of this run is left (pgrep on the run's task id prefix).
const prefix = runPrefix();
let counter = 0;

describeTaskExecutorContract('ProcessExecutor', () => {
  const work = tempWorkDir();
  const sweeper = new GroupSweeper(prefix);
  return {
    create: () => new ProcessExecutor({ workDir: work.dir, clock: new SystemClock(), adoptedPollIntervalMs: 20 }),
    spec: (taskId, tasks) =>
      aTaskSpec(taskId, { command: { shell: true, value: tasks === 'end' ? 'exit 0' : 'exec sleep 60' }, ports: [] }),
    taskId: () => `${prefix}.c${++counter}`,
    launched: (pid) => void sweeper.track(pid),
    cleanup: async () => {
      const left = await sweeper.sweep();
      work.remove();
      expect(left).toEqual({ leftGroups: [], leftMatching: [] });
    },
  };
});
