import { type ChildProcess, spawn } from 'node:child_process';
import { freePort } from '../core/free-port';
import { repoRoot } from '../core/repo-root';

/**
 * The baseline of the REST load: a bare Fastify server in a process of its own (as the master is),
 * answering the same scale PUT at once with a Marathon-shaped deploymentResult. What any HTTP/JSON
 * server on this machine, Node and Fastify costs before Cairn does anything.
 */
export class BareFastify {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(): Promise<BareFastify> {
    const port = await freePort();
    const script = `
      const app = require('fastify')({ bodyLimit: 1048576 });
      app.put('/v2/apps/*', async () => ({ deploymentId: 'd-bare', version: new Date().toISOString() }));
      app.listen({ port: ${port}, host: '127.0.0.1' }).then(() => process.send && process.send('up'));
    `;
    const child = spawn(process.execPath, ['-e', script], {
      cwd: repoRoot(),
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`the bare Fastify server exited (${code})`)));
    });
    child.disconnect();
    return new BareFastify(child, `http://127.0.0.1:${port}`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}
