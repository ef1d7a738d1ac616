import { type ChildProcess, spawn } from 'node:child_process';
import { freePort } from '../core/free-port';
import { repoRoot } from '../core/repo-root';

/**
 * The baseline of the REST reads at size: a bare NestJS app on the Fastify adapter (the master's
 * framework and adapter, in a process of its own as the master is) with one controller answering
 * `GET /hello` (and `PUT /hello`) with a small JSON object. What the framework costs per request before Cairn does
 * anything. Plain JavaScript (decorators applied by hand), so it needs no build of its own.
 */
export class BareNest {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(): Promise<BareNest> {
    const port = await freePort();
    const script = `
      require('reflect-metadata');
      const { Controller, Get, Module, Put } = require('@nestjs/common');
      const { NestFactory } = require('@nestjs/core');
      const { FastifyAdapter } = require('@nestjs/platform-fastify');
      class Hello { hello() { return { hello: 'world' }; } put() { return { hello: 'world' }; } }
      Get('hello')(Hello.prototype, 'hello', Object.getOwnPropertyDescriptor(Hello.prototype, 'hello'));
      Put('hello')(Hello.prototype, 'put', Object.getOwnPropertyDescriptor(Hello.prototype, 'put'));
      Controller()(Hello);
      class BareModule {}
      Module({ controllers: [Hello] })(BareModule);
      NestFactory.create(BareModule, new FastifyAdapter(), { logger: false })
        .then((app) => app.listen(${port}, '127.0.0.1'))
        .then(() => process.send && process.send('up'));
    `;
    const child = spawn(process.execPath, ['-e', script], {
      cwd: repoRoot(),
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`the bare NestJS server exited (${code})`)));
    });
    child.disconnect();
    return new BareNest(child, `http://127.0.0.1:${port}`);
  }

  get pid(): number {
    return this.child.pid!;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}
