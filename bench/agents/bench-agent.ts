import { CairnProcess } from './cairn-process';
import type { MasterHttp } from './master-http';

const REGISTER_TIMEOUT_MS = 30_000;

export interface BenchAgentOptions {
  readonly masterUrl: string;
  readonly http: MasterHttp;
  readonly workDir: string;
  readonly logDir: string;
  readonly agentToken: string;
  readonly resources: string;
  readonly hostname: string;
}

/** One real `cairn agent` process (compiled), registered with the master before start() resolves. */
export class BenchAgent {
  private constructor(readonly process: CairnProcess) {}

  static async start(options: BenchAgentOptions): Promise<BenchAgent> {
    const proc = CairnProcess.spawn(
      'agent',
      [
        'agent',
        '--master',
        options.masterUrl,
        '--work-dir',
        options.workDir,
        '--resources',
        options.resources,
        '--hostname',
        options.hostname,
        '--port',
        '0',
      ],
      { logDir: options.logDir, env: { CAIRN_AGENT_TOKEN: options.agentToken, CAIRN_LOG_LEVEL: 'warn' } },
    );
    const deadline = Date.now() + REGISTER_TIMEOUT_MS;
    for (;;) {
      const status = proc.exitStatus();
      if (status) throw new Error(`the agent exited (${status.code ?? status.signal})\n${proc.logTail()}`);
      const { body } = await options.http.expect<{ agents: { hostname: string; connected: boolean }[] }>(
        'GET',
        '/v1/agents',
      );
      if (body.agents.some((a) => a.hostname === options.hostname && a.connected)) return new BenchAgent(proc);
      if (Date.now() > deadline) {
        await proc.stop('SIGKILL').catch(() => undefined);
        throw new Error(`the agent did not connect within ${REGISTER_TIMEOUT_MS} ms\n${proc.logTail()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** SIGUSR1: the agent kills every task (SIGTERM, SIGKILL after 3 s), waits for their ends, exits. */
  async stopKillingTasks(): Promise<void> {
    const status = await this.process.stop('SIGUSR1');
    if (status.code !== 0)
      throw new Error(`the agent exited with ${status.code ?? status.signal}\n${this.process.logTail()}`);
  }
}
