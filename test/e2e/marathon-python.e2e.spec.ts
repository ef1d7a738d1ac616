import { join } from 'node:path';
import {
  AgentHandle,
  MasterHandle,
  spawnTracked,
  startAgent,
  startMaster,
  TEST_MASTER_AGENT_ENV,
  type ExitStatus,
} from '../harness';
import { marathonPythonVenv, PYTHON_TEST_DIR } from '../harness/python-venv';

/** The scenario waits for real deployments (health checks, rolling restarts) several times over. */
const SCENARIO_TIMEOUT_MS = 420_000;
jest.setTimeout(SCENARIO_TIMEOUT_MS + 180_000);

/**
 * Conformance with a real Marathon client: PyPI `marathon` 0.13.0 (marathon-python), unchanged,
 * runs a whole scenario with its own methods and strict models against a master and a real agent
 * (test/python/marathon_client_scenario.py). One backend: what is checked is the REST edge,
 * which does not depend on the log's backend.
 */
describe('marathon-python 0.13.0 against Cairn [file]', () => {
  let master: MasterHandle;
  let agent: AgentHandle;
  let python: string;

  beforeAll(async () => {
    // Fails (never skips) when no interpreter or no PyPI: the error carries pip's output.
    const venv = marathonPythonVenv();
    python = venv.python;
    process.stderr.write(
      `[marathon-python] ${venv.reused ? 'reusing' : 'made'} the venv from ${venv.interpreter.path} ` +
        `(Python ${venv.interpreter.version}, ${venv.interpreter.how})\n`,
    );
    master = await startMaster({ backend: 'file', env: TEST_MASTER_AGENT_ENV });
    agent = await startAgent({
      masterUrl: master.url,
      hostname: 'node-1',
      resources: 'cpus:4;mem:4096;ports:[31400-31499]',
    });
  }, 400_000);

  afterAll(async () => {
    await agent?.killTasksAndStop();
    await master?.stop();
  });

  it('runs the whole client scenario without an error', async () => {
    const script = spawnTracked(python, [join(PYTHON_TEST_DIR, 'marathon_client_scenario.py')], {
      env: {
        ...process.env,
        CAIRN_MASTER_URL: master.url,
        SCENARIO_APP_PREFIX: '/py',
        PYTHONUNBUFFERED: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    script.child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    script.child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    let timer: NodeJS.Timeout | undefined;
    const status = await Promise.race([
      script.exited,
      new Promise<ExitStatus | 'timeout'>(
        (resolve) => (timer = setTimeout(() => resolve('timeout'), SCENARIO_TIMEOUT_MS)),
      ),
    ]);
    clearTimeout(timer);
    if (status === 'timeout') {
      script.signalGroup('SIGKILL');
      await script.exited;
    }
    const report = `scenario output:\n${output}\n${master.describeLogs()}\n${agent.describeLogs()}`;
    if (status === 'timeout' || status.code !== 0)
      throw new Error(
        `the scenario ${status === 'timeout' ? 'timed out' : `exited ${status.code ?? status.signal}`}\n${report}`,
      );
    // The steps and the events seen, in the run's log: what the client did, not only that it passed.
    process.stderr.write(`[marathon-python] ${output.trimEnd().replace(/\n/g, '\n[marathon-python] ')}\n`);
    expect(output).toContain('SCENARIO OK');
    expect(output).not.toContain('FAILED');
    // Every step ran: a scenario that stopped early would not reach the event check.
    expect(output).toContain('STEP event_stream: parsed events across the scenario: ok');
  });
});
