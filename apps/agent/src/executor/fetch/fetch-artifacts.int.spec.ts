import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import { ArtifactFetchError, fetchArtifacts } from './fetch-artifacts';
import type { FetchArtifact } from './artifact';

const artifact = (uri: string, fields: Partial<FetchArtifact> = {}): FetchArtifact => ({
  uri,
  extract: true,
  executable: false,
  cache: false,
  destPath: null,
  ...fields,
});

describe('fetchArtifacts (real files, a real HTTP server, the system tar and unzip)', () => {
  let root: string;
  let served: string;
  let server: Server;
  let base: string;
  let sandbox: string;
  let closedPort: number;
  const slow = new Set<() => void>();

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'cairn-fetch-'));
    served = join(root, 'served');
    mkdirSync(join(served, 'bundle', 'conf'), { recursive: true });
    writeFileSync(join(served, 'hello.txt'), 'hello over http\n');
    writeFileSync(join(served, 'run.sh'), '#!/bin/sh\necho run\n');
    writeFileSync(join(served, 'bundle', 'conf', 'app.conf'), 'port=1\n');
    writeFileSync(join(served, 'big.bin'), Buffer.alloc(64 * 1024));
    writeFileSync(join(served, 'broken.tar.gz'), 'not an archive');
    execFileSync('tar', ['-czf', join(served, 'bundle.tar.gz'), '-C', served, 'bundle']);
    execFileSync('unzip', ['-v'], { stdio: 'ignore' }); // the zip case needs both tools
    execFileSync('sh', [
      '-c',
      `cd '${served}' && python3 -c "import zipfile; z=zipfile.ZipFile('bundle.zip','w'); z.write('bundle/conf/app.conf'); z.close()"`,
    ]);
    server = createServer((req, res) => {
      if (req.url === '/slow') {
        res.writeHead(200);
        res.write('a');
        slow.add(() => res.end());
        return;
      }
      const file = join(served, decodeURIComponent(req.url ?? '/'));
      if (!existsSync(file) || !statSync(file).isFile()) {
        res.writeHead(404).end('no');
        return;
      }
      res.writeHead(200).end(readFileSync(file));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
  });

  afterAll(async () => {
    for (const end of slow) end();
    await new Promise((resolve) => server.close(resolve));
    rmSync(root, { recursive: true, force: true });
  });

  beforeEach(() => {
    sandbox = mkdtempSync(join(root, 'sandbox-'));
  });

  const run = (artifacts: FetchArtifact[], maxBytes = 1 << 20, signal = new AbortController().signal) =>
    fetchArtifacts(artifacts, sandbox, maxBytes, signal);
  const failure = async (promise: Promise<void>) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ArtifactFetchError);
    return error as ArtifactFetchError;
  };

  it('downloads over http, names the file after the uri, and leaves no partial file', async () => {
    await run([artifact(`${base}/hello.txt`)]);
    expect(readFileSync(join(sandbox, 'hello.txt'), 'utf8')).toBe('hello over http\n');
    expect(existsSync(join(sandbox, 'hello.txt.tmp'))).toBe(false);
  });

  it('extracts a .tar.gz and a .zip next to the archive, keeping the archive', async () => {
    await run([artifact(`${base}/bundle.tar.gz`)]);
    expect(readFileSync(join(sandbox, 'bundle', 'conf', 'app.conf'), 'utf8')).toBe('port=1\n');
    expect(existsSync(join(sandbox, 'bundle.tar.gz'))).toBe(true);
    await run([artifact(`${base}/bundle.zip`, { destPath: 'z/b.zip' })]);
    expect(readFileSync(join(sandbox, 'z', 'bundle', 'conf', 'app.conf'), 'utf8')).toBe('port=1\n');
  });

  it('does not extract when extract is false, and makes an executable artifact executable', async () => {
    await run([
      artifact(`${base}/bundle.tar.gz`, { extract: false }),
      artifact(`${base}/run.sh`, { executable: true }),
    ]);
    expect(existsSync(join(sandbox, 'bundle'))).toBe(false);
    expect(statSync(join(sandbox, 'run.sh')).mode & 0o111).toBe(0o111);
  });

  it('copies file:// URIs and plain absolute paths', async () => {
    await run([
      artifact(pathToFileURL(join(served, 'hello.txt')).href, { destPath: 'a.txt' }),
      artifact(join(served, 'run.sh')),
    ]);
    expect(readFileSync(join(sandbox, 'a.txt'), 'utf8')).toBe('hello over http\n');
    expect(existsSync(join(sandbox, 'run.sh'))).toBe(true);
  });

  it.each([
    [
      'a 404',
      () => `${base}/missing.tgz`,
      /^Failed to fetch 'http:\/\/127\.0\.0\.1:\d+\/missing\.tgz': HTTP 404 Not Found$/,
    ],
    ['an unreachable host', () => `http://127.0.0.1:${closedPort}/x`, /ECONNREFUSED/],
    ['a bad archive', () => `${base}/broken.tar.gz`, /extracting with tar failed \(exited with status 2\)/],
    ['an unsupported scheme', () => 'hdfs://nn/x', /unsupported scheme 'hdfs'/],
    ['a missing local file', () => join(served, 'nope'), /ENOENT/],
  ])('fails on %s, naming the uri and the error', async (_name, uri, message) => {
    const error = await failure(run([artifact(uri())]));
    expect(error.uri).toBe(uri());
    expect(error.message).toMatch(message);
  });

  it('refuses a destPath outside the sandbox or over a file the agent writes', async () => {
    expect((await failure(run([artifact(`${base}/hello.txt`, { destPath: '../x' })]))).message).toMatch(/outside/);
    expect((await failure(run([artifact(`${base}/hello.txt`, { destPath: 'stdout' })]))).message).toMatch(
      /agent writes/,
    );
  });

  it('stops an artifact larger than the limit', async () => {
    const error = await failure(run([artifact(`${base}/big.bin`)], 1000));
    expect(error.message).toMatch(/larger than the agent's limit of 1000 bytes/);
    expect(existsSync(join(sandbox, 'big.bin'))).toBe(false);
  });

  it('stops when its signal is aborted (the timeout), with the abort reason', async () => {
    const controller = new AbortController();
    const fetching = run([artifact(`${base}/slow`)], 1 << 20, controller.signal);
    setTimeout(() => controller.abort(new Error('the fetch took too long')), 100);
    expect((await failure(fetching)).message).toMatch(/the fetch took too long/);
  });
});
