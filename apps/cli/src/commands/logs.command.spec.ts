import { completeUtf8 } from '../../../agent/src/files/read-sandbox-file';
import { run } from '../cli';
import { ExitCode } from '../exit-codes';
import { captureIo, CapturedIo } from '../testing/capture-io';
import { FakeHandler, FakeMaster, RecordedRequest, startFakeMaster, unusedUrl } from '../testing/fake-master';
import { LOGS_READ_MAX_BYTES } from './logs.command';

const TASK = 'prod_web.5f0c2a9e-1d4b-4c8e-9a7f-0b1c2d3e4f50';
const STDOUT = `GET /v1/tasks/${TASK}/files/stdout`;
const STDERR = `GET /v1/tasks/${TASK}/files/stderr`;
const GONE = { status: 404, body: { message: `Task '${TASK}' does not exist` } };

/**
 * A sandbox file served as the master's proxy serves it (Mesos's /files/read): `offset=-1`
 * answers the size; a read returns at most `pageBytes` (forcing the CLI to page) and is cut
 * before a split character with the agent's own function.
 */
class FakeFile {
  content: Buffer;
  constructor(
    text: string,
    private readonly pageBytes = LOGS_READ_MAX_BYTES,
  ) {
    this.content = Buffer.from(text);
  }

  append(text: string): void {
    this.content = Buffer.concat([this.content, Buffer.from(text)]);
  }

  readonly route: FakeHandler = (request) => {
    const offset = Number(request.query.get('offset'));
    if (offset === -1) return { body: { data: '', offset: this.content.length } };
    const length = Math.min(Number(request.query.get('length')), this.pageBytes);
    const wanted = Math.max(0, Math.min(length, this.content.length - offset));
    return { body: { data: completeUtf8(this.content.subarray(offset, offset + wanted)).toString('utf8'), offset } };
  };
}

const offsetsOf = (requests: RecordedRequest[]) => requests.map((r) => Number(r.query.get('offset')));

describe('cairn logs', () => {
  let master: FakeMaster | undefined;

  afterEach(async () => {
    await master?.close();
    master = undefined;
  });

  async function logs(args: string[], io: CapturedIo = captureIo()) {
    const code = await run(['logs', TASK, '--master', master!.url, ...args], io);
    return { code, out: io.out(), err: io.err() };
  }

  it('prints the whole stdout, paging, with characters split by pages printed whole', async () => {
    const text = 'héllo wörld €€€\nsecond line 🌍\n';
    const file = new FakeFile(text, 5);
    master = await startFakeMaster({ [STDOUT]: file.route });
    const { code, out, err } = await logs([]);
    expect({ code, out, err }).toEqual({ code: 0, out: text, err: '' });
    expect(master.requests[0].query.get('offset')).toBe('-1');
    // Every read starts where the previous one's bytes ended, up to the size read first.
    const reads = master.requests.slice(1);
    expect(offsetsOf(reads)[0]).toBe(0);
    for (const read of reads) {
      const offset = Number(read.query.get('offset'));
      expect(Number(read.query.get('length'))).toBe(Math.min(LOGS_READ_MAX_BYTES, file.content.length - offset));
    }
  });

  it('--stderr reads stderr', async () => {
    master = await startFakeMaster({ [STDERR]: new FakeFile('oops\n').route });
    expect(await logs(['--stderr'])).toEqual({ code: 0, out: 'oops\n', err: '' });
  });

  it('--tail N starts N bytes before the end', async () => {
    master = await startFakeMaster({ [STDOUT]: new FakeFile('line1\nline2\nline3\n').route });
    expect(await logs(['--tail', '6'])).toEqual({ code: 0, out: 'line3\n', err: '' });
    expect(offsetsOf(master.requests)).toEqual([-1, 12]);
  });

  it('--tail landing inside a character skips its remaining bytes and prints the rest', async () => {
    // 'a€b' is 61 E2 82 AC 62: 3 bytes before the end is inside '€'.
    master = await startFakeMaster({ [STDOUT]: new FakeFile('a€b').route });
    expect(await logs(['--tail', '3'])).toEqual({ code: 0, out: 'b', err: '' });
  });

  it('--tail larger than the file prints the whole file', async () => {
    master = await startFakeMaster({ [STDOUT]: new FakeFile('short\n').route });
    expect(await logs(['--tail', '1000'])).toEqual({ code: 0, out: 'short\n', err: '' });
  });

  it('prints nothing for an empty file, asking only its size', async () => {
    master = await startFakeMaster({ [STDOUT]: new FakeFile('').route });
    expect(await logs([])).toEqual({ code: 0, out: '', err: '' });
    expect(master.requests).toHaveLength(1);
  });

  it('stops, rather than loop, when the end is a character still being written', async () => {
    // 2 of the 4 bytes of '🌍': the agent never returns half a character.
    const file = new FakeFile('ok ');
    file.content = Buffer.concat([file.content, Buffer.from('🌍').subarray(0, 2)]);
    master = await startFakeMaster({ [STDOUT]: file.route });
    expect(await logs([])).toEqual({ code: 0, out: 'ok ', err: '' });
    expect(master.requests.length).toBeLessThanOrEqual(3);
  });

  describe('failures', () => {
    it('exits 1 with the API message for an unknown task', async () => {
      master = await startFakeMaster({ [STDOUT]: GONE });
      const { code, out, err } = await logs([]);
      expect({ code, out }).toEqual({ code: ExitCode.Refused, out: '' });
      expect(err).toContain(`error: Task '${TASK}' does not exist (HTTP 404 from GET `);
    });

    it("exits 1 when the task's agent is not connected", async () => {
      const message = `the agent of task '${TASK}' is not connected: its files cannot be read now`;
      master = await startFakeMaster({ [STDOUT]: { status: 409, body: { message } } });
      const { code, err } = await logs([]);
      expect(code).toBe(ExitCode.Refused);
      expect(err).toContain(message);
    });

    it('exits 4 when the master fails', async () => {
      master = await startFakeMaster({ [STDOUT]: { status: 500, body: { message: 'boom' } } });
      expect((await logs([])).code).toBe(ExitCode.ServerError);
    });

    it('exits 4 when the answer is not a file chunk', async () => {
      master = await startFakeMaster({ [STDOUT]: { body: { size: 3 } } });
      const { code, err } = await logs([]);
      expect(code).toBe(ExitCode.ServerError);
      expect(err).toContain('not a file chunk');
    });

    it('exits 3 when no master listens', async () => {
      const io = captureIo();
      expect(await run(['logs', TASK, '--master', await unusedUrl()], io)).toBe(ExitCode.Unreachable);
    });

    it('exits 2 for a --tail that is not a number', async () => {
      master = await startFakeMaster({});
      const { code, err } = await logs(['--tail', '10k']);
      expect(code).toBe(ExitCode.Usage);
      expect(err).toContain("option '--tail <bytes>' argument '10k' is invalid");
      expect(master.requests).toHaveLength(0);
    });
  });

  describe('--follow', () => {
    async function following(args: string[], routes: Record<string, FakeHandler | typeof GONE>) {
      master = await startFakeMaster(routes);
      const stop = new AbortController();
      const io = captureIo({ signal: stop.signal });
      const done = logs(['--follow', ...args], io);
      return { io, stop, done };
    }

    it('prints what the task writes next, from where it stopped, until Ctrl-C (exit 0)', async () => {
      const file = new FakeFile('first\n');
      const { io, stop, done } = await following([], { [STDOUT]: file.route });
      await waitFor(() => io.out() === 'first\n');
      file.append('second ✓\n');
      await waitFor(() => io.out() === 'first\nsecond ✓\n');
      const end = 6 + Buffer.byteLength('second ✓\n');
      await waitFor(() => offsetsOf(master!.requests).includes(end));
      stop.abort();
      expect(await done).toEqual({ code: 0, out: 'first\nsecond ✓\n', err: '' });
      // Polls go on from where the last bytes ended: never back, never past.
      const offsets = offsetsOf(master!.requests);
      expect(offsets[0]).toBe(0);
      expect(new Set(offsets.slice(1))).toEqual(new Set([6, end]));
    });

    it('--tail 0 prints only what is written after it starts', async () => {
      const file = new FakeFile('old\n');
      const { io, stop, done } = await following(['--tail', '0'], { [STDOUT]: file.route });
      await waitFor(() => master!.requests.length >= 2);
      file.append('new\n');
      await waitFor(() => io.out() === 'new\n');
      stop.abort();
      expect((await done).code).toBe(0);
      expect(offsetsOf(master!.requests).slice(0, 2)).toEqual([-1, 4]);
    });

    it('stops with a note and exits 0 when the task is gone', async () => {
      const file = new FakeFile('last words\n');
      let reads = 0;
      const { done } = await following([], {
        [STDOUT]: (request, res) => (++reads <= 2 ? file.route(request, res) : GONE),
      });
      const { code, out, err } = await done;
      expect({ code, out }).toEqual({ code: 0, out: 'last words\n' });
      expect(err).toBe(`task '${TASK}' is gone (Task '${TASK}' does not exist): stopped following its stdout\n`);
    });

    it('waits, with one note, while the agent is away, then goes on', async () => {
      const file = new FakeFile('before\n');
      const away = { status: 409, body: { message: `the agent of task '${TASK}' is not connected` } };
      let reads = 0;
      const { io, stop, done } = await following([], {
        [STDOUT]: (request, res) => (++reads === 2 || reads === 3 ? away : file.route(request, res)),
      });
      await waitFor(() => reads >= 3);
      file.append('after\n');
      await waitFor(() => io.out() === 'before\nafter\n');
      stop.abort();
      expect(await done).toEqual({
        code: 0,
        out: 'before\nafter\n',
        err: `the agent of task '${TASK}' is not connected: waiting for its agent to come back\n`,
      });
    });

    it('exits 1 at once for an unknown task', async () => {
      const { done } = await following([], { [STDOUT]: GONE });
      const { code, err } = await done;
      expect(code).toBe(ExitCode.Refused);
      expect(err).toContain('HTTP 404');
      expect(master!.requests).toHaveLength(1);
    });

    it('Ctrl-C during a read that hangs stops at once', async () => {
      let reads = 0;
      const file = new FakeFile('x\n');
      const { io, stop, done } = await following([], {
        [STDOUT]: (request, res) => (++reads === 1 ? file.route(request, res) : undefined /* never answers */),
      });
      await waitFor(() => reads >= 2);
      const stoppedAt = Date.now();
      stop.abort();
      expect(await done).toEqual({ code: 0, out: 'x\n', err: '' });
      expect(Date.now() - stoppedAt).toBeLessThan(1_000);
      expect(io.err()).toBe('');
    });
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
