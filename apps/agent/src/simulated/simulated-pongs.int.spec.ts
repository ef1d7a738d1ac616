import pino from 'pino';
import { waitFor } from '../executor/executor-test-support';
import { FakeMaster } from '../testing/fake-master';
import { startSimulatedAgents, type SimulatedAgents } from './simulated-agents';

// Many simulated agents answer each round of pings together, as a fleet of process agents would,
// each over a connection it keeps: the simulator must not open new connections per round (a
// master busy at 5,000 agents then overflowed its accept queue, and pongs came back too late).
jest.setTimeout(30_000);

const TOKEN = 'simulated-pongs-token';
/** More agents than Node keeps idle sockets by default (256). */
const AGENTS = 300;
const ROUNDS = 4;

let master: FakeMaster;
let agents: SimulatedAgents | undefined;

beforeEach(async () => {
  master = await FakeMaster.start({ token: TOKEN, pingIntervalMs: 300 });
});
afterEach(async () => {
  await agents?.close();
  agents = undefined;
  await master.close();
});

it('answers rounds of pings from 300 agents over the connections it opened for the first round', async () => {
  agents = await startSimulatedAgents({
    masterUrl: master.url,
    count: AGENTS,
    token: TOKEN,
    resources: 'cpus:1;mem:1024;ports:[31000-31010]',
    hostnamePrefix: 'pong',
    runUpMs: 0,
    seed: 'simulated-pongs',
    readyTimeoutMs: 20_000,
    logger: pino({ level: 'silent' }),
  });
  await waitFor('four rounds of pongs', () => (master.pongs.length >= AGENTS * ROUNDS ? true : undefined), 20_000);
  // At most one connection per agent pinged at once; Node's default pool would have closed all
  // but 256 idle ones after each round and opened the rest again (over 400 after four rounds).
  expect(master.pongConnections.size).toBeLessThanOrEqual(AGENTS);
});
