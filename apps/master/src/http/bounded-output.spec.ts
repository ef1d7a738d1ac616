import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGunzip } from 'node:zlib';
import { BoundedOutput } from './bounded-output';

/** A local server whose one response is handed to `serve`; resolves with the client's response. */
async function withServer(
  serve: (res: http.ServerResponse) => void,
): Promise<{ response: http.IncomingMessage; close: () => void }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.flushHeaders();
    serve(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const request = http.get({ host: '127.0.0.1', port, agent: false });
  const response = await new Promise<http.IncomingMessage>((resolve) => request.on('response', resolve));
  return {
    response,
    close: () => {
      request.destroy();
      server.close();
    },
  };
}

describe('BoundedOutput', () => {
  it('closes a client that takes nothing once the buffer is over its bound, after the grace period', async () => {
    let output!: BoundedOutput;
    const { response, close } = await withServer((res) => {
      output = new BoundedOutput(res, false, { maxBufferedBytes: 64 * 1024, graceMs: 50 });
    });
    response.pause(); // never reads
    const frame = `data: ${'x'.repeat(16 * 1024)}\n\n`;
    let written = 0;
    while (await output.write(frame)) written += frame.length;
    // It took more than its bound (the kernel's socket buffers come first), then gave up cleanly.
    expect(written).toBeGreaterThan(64 * 1024);
    expect(await output.write(frame)).toBe(false);
    close();
  });

  it('gzip: every write can be decoded before the next one is made', async () => {
    let output!: BoundedOutput;
    const { response, close } = await withServer((res) => {
      output = new BoundedOutput(res, true);
    });
    let text = '';
    response.pipe(createGunzip()).on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    for (let i = 0; i < 5; i++) {
      const frame = `id: ${i}\nevent: e\ndata: {}\n\n`;
      expect(await output.write(frame)).toBe(true);
      await new Promise<void>((resolve) => {
        const check = () => (text.endsWith(frame) ? resolve() : setImmediate(check));
        check();
      });
    }
    output.close();
    close();
  });
});
