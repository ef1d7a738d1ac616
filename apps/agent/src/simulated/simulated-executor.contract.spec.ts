import { SystemClock } from '@cairn/common';
import { describeTaskExecutorContract } from '../testing/task-executor.contract';
import { SimulatedExecutor } from './simulated-executor';

let counter = 0;

describeTaskExecutorContract('SimulatedExecutor', () => ({
  create: (tasks) =>
    new SimulatedExecutor({
      clock: new SystemClock(),
      fate: { seed: 'contract', runUpMs: 5, runTimeMs: tasks === 'end' ? 20 : undefined, failureRate: 0 },
    }),
  spec: (taskId) => ({
    taskId,
    appId: '/contract',
    appVersion: '2026-01-01T00:00:00.000Z',
    command: { shell: true, value: 'sleep 60' },
    env: {},
    ports: [],
    host: 'sim-1',
  }),
  taskId: () => `contract.sim-${++counter}`,
  launched: () => undefined,
  cleanup: async () => undefined,
}));
