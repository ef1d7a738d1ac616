import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, MasterHandle, REPO_ROOT, startMaster, tempDir, verifyStartedLogs, waitFor } from '../harness';

jest.setTimeout(240_000);

/**
 * docs/operations.md, "Production Kafka": a master reaches a broker that requires SASL. The suite's
 * shared broker speaks PLAINTEXT only, so this file starts a broker of its own (infra/kafka/broker.js)
 * with a second listener, SASL_PLAINTEXT with PLAIN, and stops it at the end.
 */

interface BrokerModule {
  startBroker(options: {
    dataDir: string;
    port: number;
    controllerPort: number;
    extraProperties?: Record<string, string>;
    log?: (line: string) => void;
  }): Promise<{ brokers: string; stop(): Promise<unknown> }>;
}

const USER = 'cairn';
const PASSWORD = 'cairn-sasl-secret';

describe('a master on a SASL PLAIN listener [kafka]', () => {
  let broker: { brokers: string; stop(): Promise<unknown> } | undefined;
  let saslBrokers = '';
  const masters: MasterHandle[] = [];

  beforeAll(async () => {
    const { startBroker } = (await import(join(REPO_ROOT, 'infra', 'kafka', 'broker.js'))) as BrokerModule;
    const [port, saslPort, controllerPort] = [await freePort(), await freePort(), await freePort()];
    broker = await startBroker({
      dataDir: tempDir('kafka-sasl'),
      port,
      controllerPort,
      extraProperties: {
        listeners: `PLAINTEXT://127.0.0.1:${port},SASL_PLAINTEXT://127.0.0.1:${saslPort},CONTROLLER://127.0.0.1:${controllerPort}`,
        'advertised.listeners': `PLAINTEXT://127.0.0.1:${port},SASL_PLAINTEXT://127.0.0.1:${saslPort}`,
        'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT',
        'sasl.enabled.mechanisms': 'PLAIN',
        'listener.name.sasl_plaintext.plain.sasl.jaas.config':
          'org.apache.kafka.common.security.plain.PlainLoginModule required ' +
          `username="admin" password="admin-secret" user_admin="admin-secret" user_${USER}="${PASSWORD}";`,
      },
    });
    saslBrokers = `127.0.0.1:${saslPort}`;
  });

  afterEach(async () => {
    for (const m of masters.splice(0)) if (!m.process.exitStatus()) await m.kill();
  });

  afterAll(async () => {
    await verifyStartedLogs(); // while the broker this file started still runs
    await broker?.stop();
  });

  const saslEnv = (password: Record<string, string>) => ({
    KAFKA_BROKERS: saslBrokers,
    CAIRN_KAFKA_SASL_MECHANISM: 'plain',
    CAIRN_KAFKA_SASL_USERNAME: USER,
    ...password,
  });

  it('connects with the password from a file, leads, and writes', async () => {
    const dir = tempDir('sasl-secret');
    const passwordFile = join(dir, 'password');
    writeFileSync(passwordFile, `${PASSWORD}\n`);
    const master = await startMaster({
      backend: 'kafka',
      env: saslEnv({ CAIRN_KAFKA_SASL_PASSWORD_FILE: passwordFile }),
    });
    masters.push(master);
    await waitFor(async () => (await master.http.get('/v1/info')).body?.role === 'leader', {
      describe: 'the master to lead over SASL',
      onTimeout: () => master.describeLogs(),
    });
    const created = await master.http.post('/v2/apps', { id: '/sasl/app', cmd: 'sleep 1', instances: 0 });
    expect(created.status).toBe(201);
    const logs = master.stderr() + master.stdout();
    expect(logs).toContain(`Kafka: plaintext, SASL plain as '${USER}'`);
    expect(logs).not.toContain(PASSWORD);
  });

  it("with a wrong password, fails its start with the broker's authentication error, and logs no password", async () => {
    const master = await startMaster({
      backend: 'kafka',
      env: saslEnv({ CAIRN_KAFKA_SASL_PASSWORD: 'not-the-password' }),
      waitUntilReady: false,
    });
    masters.push(master);
    const status = await master.exited;
    expect(status.code).not.toBe(0);
    const logs = master.stderr() + master.stdout();
    expect(logs).toMatch(/the master could not start .*SASL PLAIN authentication failed/i);
    expect(logs).not.toContain('not-the-password');
  });
});
