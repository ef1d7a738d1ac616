import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { freePort } from './free-port';
import { httpClient } from './http-client';
import { liveProcesses, readProcStat, spawnTracked, sweepAll } from './process-registry';
import { pidsDir } from './test-run';
import { tempDir } from './temp-dir';
import { waitFor, WaitTimeoutError } from './wait-for';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('e2e harness', () => {
  it('records a spawned process in the run pid dir and forgets it when it exits', async () => {
    const proc = spawnTracked('sleep', ['30'], { stdio: 'ignore' });
    const pidFile = join(pidsDir(), `${proc.pid}.json`);
    const record = JSON.parse(readFileSync(pidFile, 'utf8'));
    expect(record).toEqual({
      pid: proc.pid,
      pgid: proc.pid,
      startTime: readProcStat(proc.pid).startTime,
      cmd: 'sleep 30',
    });
    expect(record.startTime).toBeGreaterThan(0);

    proc.signalGroup('SIGTERM');
    expect(await proc.exited).toEqual({ code: null, signal: 'SIGTERM' });
    expect(existsSync(pidFile)).toBe(false);
    expect(liveProcesses()).not.toContain(proc);
  });

  it('sweepAll kills the whole process group of every live process', async () => {
    // A shell that starts a grandchild in the same group: killing -pgid must take both.
    const proc = spawnTracked('sh', ['-c', 'sleep 30 & echo $!; wait'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    proc.child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const grandchild = await waitFor(() => (out.includes('\n') ? Number(out.trim()) : undefined), {
      describe: 'grandchild pid',
    });
    expect(readProcStat(grandchild).pgid).toBe(proc.pgid);

    await sweepAll();
    expect(proc.exitStatus()?.signal).toBe('SIGKILL');
    await waitFor(() => !alive(grandchild), { describe: 'the grandchild to die' });
    expect(liveProcesses()).toHaveLength(0);
  });

  it('freePort gives a port that can be listened on, and the client parses JSON and text', async () => {
    const port = await freePort();
    const server = createServer((req, res) => {
      if (req.url === '/json') {
        res.setHeader('content-type', 'application/json; charset=utf-8');
        res.end(JSON.stringify({ ok: true, method: req.method }));
      } else {
        res.setHeader('content-type', 'text/plain');
        res.end('pong');
      }
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      const http = httpClient(() => `http://127.0.0.1:${port}`);
      expect((await http.post('/json', { a: 1 })).body).toEqual({ ok: true, method: 'POST' });
      const text = await http.get('/ping');
      expect(text).toMatchObject({ status: 200, body: 'pong' });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('waitFor returns the first truthy value and names what it waited for on timeout', async () => {
    let calls = 0;
    expect(await waitFor(() => (++calls >= 3 ? 'done' : undefined), { intervalMs: 1 })).toBe('done');
    await expect(waitFor(() => false, { timeoutMs: 30, describe: 'nothing' })).rejects.toThrow(WaitTimeoutError);
    await expect(waitFor(() => false, { timeoutMs: 30, describe: 'nothing' })).rejects.toThrow(/waiting for nothing/);
  });

  it('tempDir makes a fresh directory under the OS temp dir', () => {
    const a = tempDir('self-test');
    const b = tempDir('self-test');
    expect(a).not.toBe(b);
    expect(existsSync(a)).toBe(true);
  });
});
