import { Service } from '../fold/services';
import { Logger } from '../log';
import { proxyName, renderHaproxyConfig, RenderOptions, serverName } from '../render/haproxy-config';
import { installConfig } from './config-file';
import { HaproxyProcess } from './haproxy-process';
import { unixSocketCommand } from './unix-socket-command';

export interface ConfigApplierOptions {
  readonly haproxy: HaproxyProcess;
  readonly binary: string;
  readonly configPath: string;
  readonly render: RenderOptions;
  /** A burst of changes (a deployment's step, a scale of 50) becomes one reload. */
  readonly debounceMs: number;
  readonly log: Logger;
}

/**
 * Keeps HAProxy in step with the services: the first call starts it, later ones reload it, and
 * only when the rendered text changed. A server that leaves (kill requested, unhealthy, ended)
 * is put in maintenance through the admin socket at once, before the debounced reload, so no
 * new request goes to it while the reload waits; new servers wait for the reload.
 */
export class ConfigApplier {
  /** What the running HAProxy serves (undefined before the first start). */
  private applied: { text: string; services: readonly Service[] } | undefined;
  private wanted: { readonly services: readonly Service[]; readonly offset: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private generation = 0;
  private closed = false;
  /** Servers put in maintenance since the last reload (a reload starts from the file again). */
  private readonly disabled = new Set<string>();
  /** Runtime commands in flight: a reload waits for them, so none lands on the new workers. */
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: ConfigApplierOptions) {}

  /** The services the fold now gives; `offset`: the last offset folded into them, for the log. */
  update(services: readonly Service[], offset: number): void {
    if (this.closed) return;
    this.wanted = { services, offset };
    if (this.applied) this.takeOutLeavers(services);
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = (this.running ?? Promise.resolve()).then(() => this.applyWanted());
    }, this.options.debounceMs);
  }

  /** Waits for a pending change to be applied (used before stopping, and by tests). */
  async settle(): Promise<void> {
    while (this.timer || this.running) {
      if (this.timer) {
        await new Promise((resolve) => setTimeout(resolve, this.options.debounceMs));
        continue;
      }
      const running = this.running;
      await running;
      if (this.running === running) this.running = undefined;
    }
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async applyWanted(): Promise<void> {
    if (!this.wanted || this.closed) return;
    // Taken now: updates that come while this one is applied are for the next round.
    const { services, offset } = this.wanted;
    const text = renderHaproxyConfig(services, this.options.render);
    // Same text but servers taken out meanwhile (a health check flapped back): reload all the same,
    // which puts them back in service.
    if (this.applied?.text === text && this.disabled.size === 0) return;
    const { haproxy, binary, configPath, log } = this.options;
    try {
      await installConfig(binary, configPath, text);
      await Promise.all(this.inFlight);
      if (this.applied) await haproxy.reload();
      else await haproxy.start();
      this.disabled.clear();
    } catch (error) {
      // The running HAProxy keeps its last configuration; the next change tries again.
      log.error('applying the configuration failed', { error: (error as Error).message });
      return;
    }
    this.applied = { text, services };
    // A server that left while the reload ran is in the file the new workers read, and its take-out
    // may have reached the old workers' socket: take it out again, now on the new ones.
    if (this.wanted) this.takeOutLeavers(this.wanted.services);
    this.generation += 1;
    log.info('config applied', {
      generation: this.generation,
      offset,
      services: services.map((s) => ({
        name: proxyName(s),
        appId: s.appId,
        servicePort: s.servicePort,
        servers: s.servers.map((server) => server.taskId),
      })),
    });
  }

  /** Servers the running HAProxy has that the new state leaves out: maintenance now, gone at the reload. */
  private takeOutLeavers(services: readonly Service[]): void {
    const staying = new Set(
      services.flatMap((s) => s.servers.map((server) => `${proxyName(s)}/${serverName(server.taskId)}`)),
    );
    for (const service of this.applied!.services) {
      for (const server of service.servers) {
        const key = `${proxyName(service)}/${serverName(server.taskId)}`;
        if (staying.has(key) || this.disabled.has(key)) continue;
        this.disabled.add(key);
        const command = unixSocketCommand(this.options.render.adminSocket, `set server ${key} state maint`).then(
          (answer) => {
            if (answer.trim()) this.options.log.warn('taking a server out', { server: key, answer: answer.trim() });
            else this.options.log.info('server taken out', { server: key, taskId: server.taskId });
          },
          (error: Error) => this.options.log.warn('taking a server out failed', { server: key, error: error.message }),
        );
        this.inFlight.add(command);
        void command.finally(() => this.inFlight.delete(command));
      }
    }
  }
}
