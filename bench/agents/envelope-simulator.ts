import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startSimulatedAgents, type SimulatedAgents, type SimulatedAgentsStats } from '../../apps/agent/src/simulated';

/**
 * `node dist/bench/agents/envelope-simulator.js '<json>'` with an IPC channel: K simulated agents
 * in one process, started as `cairn agent --simulated K` starts them (startSimulatedAgents, the
 * real agent protocol over HTTP), which also answers its parent's requests for the agents' counts
 * over the channel. The envelope benchmark runs several, so that a tenth of the agents can be
 * lost at once with a SIGKILL of one process, and so that the simulators' CPU can be read apart
 * from the master's and the benchmark's.
 */
export interface EnvelopeSimulatorRequest {
  masterUrl: string;
  count: number;
  token: string;
  resources: string;
  hostnamePrefix: string;
  runUpMs: number;
  healthyAfterMs: number;
  seed: string;
  readyTimeoutMs: number;
  maxSockets?: number;
}

/** Parent → child. */
export type EnvelopeSimulatorCommand = { type: 'stats'; id: number } | { type: 'close' };

/** Child → parent. */
export type EnvelopeSimulatorMessage =
  | { type: 'ready'; agentIds: string[]; hostnames: string[] }
  | { type: 'stats'; id: number; stats: SimulatedAgentsStats }
  | { type: 'failed'; message: string }
  | { type: 'closed'; stats: SimulatedAgentsStats };

/** How often the simulator writes its event loop's worst delay to its log (when over STALL_REPORT_MS). */
const STALL_REPORT_EVERY_MS = 10_000;
const STALL_REPORT_MS = 100;

/**
 * A simulator whose loop stalls answers pings late, and its agents look dead to the master: the
 * log says when that happened, so a dropped agent can be put down to the simulator or the master.
 */
function reportStalls(): void {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  setInterval(() => {
    const maxMs = delay.max / 1e6;
    if (maxMs > STALL_REPORT_MS) {
      process.stderr.write(
        `${new Date().toISOString()} simulator event loop stalled up to ${maxMs.toFixed(0)} ms in the last ` +
          `${STALL_REPORT_EVERY_MS / 1000} s (p99 ${(delay.percentile(99) / 1e6).toFixed(0)} ms)\n`,
      );
    }
    delay.reset();
  }, STALL_REPORT_EVERY_MS).unref();
}

async function main(): Promise<void> {
  reportStalls();
  const request = JSON.parse(process.argv[2] ?? '') as EnvelopeSimulatorRequest;
  const send = (message: EnvelopeSimulatorMessage) => process.send?.(message);
  let agents: SimulatedAgents | undefined;
  let closing = false;
  const close = async () => {
    if (closing) return;
    closing = true;
    const stats = agents?.stats();
    await agents?.close();
    if (stats && process.connected) send({ type: 'closed', stats });
    process.disconnect?.();
    process.exit(0);
  };
  // The parent gone (killed, crashed): nothing else would ever stop these agents.
  process.on('disconnect', () => void close());
  process.on('SIGTERM', () => void close());
  process.on('message', (command: EnvelopeSimulatorCommand) => {
    if (command.type === 'close') void close();
    else if (command.type === 'stats' && agents) send({ type: 'stats', id: command.id, stats: agents.stats() });
  });
  try {
    agents = await startSimulatedAgents({
      masterUrl: request.masterUrl,
      count: request.count,
      token: request.token,
      resources: request.resources,
      hostnamePrefix: request.hostnamePrefix,
      runUpMs: request.runUpMs,
      healthyAfterMs: request.healthyAfterMs,
      seed: request.seed,
      readyTimeoutMs: request.readyTimeoutMs,
      maxSockets: request.maxSockets,
    });
  } catch (error) {
    send({ type: 'failed', message: (error as Error).stack ?? String(error) });
    process.exit(1);
  }
  const hostnames = Array.from({ length: request.count }, (_, i) => `${request.hostnamePrefix}-${i + 1}`);
  send({ type: 'ready', agentIds: agents.agentIds(), hostnames });
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
