import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startFilesServer, type RunningFilesServer } from './files-server';
import { completeUtf8, MAX_READ_BYTES } from './read-sandbox-file';

const TOKEN = 'files-spec-token';
const workDir = mkdtempSync(join(tmpdir(), 'cairn-files-'));
const outside = mkdtempSync(join(tmpdir(), 'cairn-files-outside-'));
let server: RunningFilesServer;

function sandbox(taskId: string): string {
  const dir = join(workDir, 'sandboxes', taskId);
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function read(
  query: string,
  token: string | null = TOKEN,
): Promise<{ status: number; body: { data?: string; offset?: number; message?: string } }> {
  const response = await fetch(`http://127.0.0.1:${server.port}/files/read?${query}`, {
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
  });
  return { status: response.status, body: (await response.json()) as { data?: string; offset?: number } };
}

beforeAll(async () => {
  writeFileSync(join(sandbox('web.1'), 'stdout'), 'hello\nworld\n');
  writeFileSync(join(sandbox('web.1'), 'stderr'), 'oops\n');
  writeFileSync(join(sandbox('web.1'), 'task.json'), '{"secret":1}');
  writeFileSync(join(sandbox('big.1'), 'stdout'), Buffer.alloc(MAX_READ_BYTES + 10, 'x'));
  writeFileSync(join(outside, 'secret'), 'do not serve\n');
  writeFileSync(join(outside, 'stdout'), 'do not serve\n'); // what a followed sandbox link would show
  symlinkSync(join(outside, 'secret'), join(sandbox('linked.1'), 'stdout'));
  symlinkSync(outside, join(workDir, 'sandboxes', 'escape.1'));
  server = await startFilesServer({
    workDir,
    host: '127.0.0.1',
    port: 0,
    token: TOKEN,
    logger: pino({ level: 'silent' }),
  });
});

afterAll(async () => {
  await server?.close();
  rmSync(workDir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe('files server /files/read', () => {
  it('reads from an offset, for a length', async () => {
    expect(await read('taskId=web.1&file=stdout&offset=6&length=3')).toEqual({
      status: 200,
      body: { data: 'wor', offset: 6 },
    });
    expect(await read('taskId=web.1&file=stderr')).toEqual({ status: 200, body: { data: 'oops\n', offset: 0 } });
  });

  it('answers the size for offset -1, and no data past the end', async () => {
    expect(await read('taskId=web.1&file=stdout&offset=-1')).toEqual({ status: 200, body: { data: '', offset: 12 } });
    expect(await read('taskId=web.1&file=stdout&offset=50')).toEqual({ status: 200, body: { data: '', offset: 50 } });
  });

  it('returns at most 1 MiB per read', async () => {
    const { body } = await read(`taskId=big.1&file=stdout&length=${MAX_READ_BYTES * 4}`);
    expect(body.data).toHaveLength(MAX_READ_BYTES);
  });

  it.each([
    { name: 'a task id with a path in it', query: 'taskId=../../etc&file=stdout', status: 400 },
    { name: 'a task id that is a dot path', query: 'taskId=..&file=stdout', status: 400 },
    { name: 'a file other than stdout or stderr', query: 'taskId=web.1&file=task.json', status: 400 },
    { name: 'a negative offset below -1', query: 'taskId=web.1&file=stdout&offset=-2', status: 400 },
    { name: 'a length that is not a number', query: 'taskId=web.1&file=stdout&length=all', status: 400 },
    { name: 'an unknown task', query: 'taskId=nope.1&file=stdout', status: 404 },
    { name: 'a stdout that is a symbolic link', query: 'taskId=linked.1&file=stdout', status: 404 },
    { name: 'a sandbox that is a symbolic link', query: 'taskId=escape.1&file=secret', status: 400 },
    { name: 'a sandbox that is a symbolic link (served name)', query: 'taskId=escape.1&file=stdout', status: 404 },
  ])('refuses $name', async ({ query, status }) => {
    const answer = await read(query);
    expect(answer.status).toBe(status);
    expect(JSON.stringify(answer.body)).not.toContain('do not serve');
  });

  it('refuses a read without the agent token, or with another one', async () => {
    expect((await read('taskId=web.1&file=stdout', null)).status).toBe(401);
    expect((await read('taskId=web.1&file=stdout', 'wrong')).status).toBe(401);
  });
});

describe('completeUtf8', () => {
  it('cuts a character split by the end of the chunk', () => {
    const euro = Buffer.from('a€'); // 61 e2 82 ac
    expect(completeUtf8(euro.subarray(0, 3))).toEqual(Buffer.from('a'));
    expect(completeUtf8(euro.subarray(0, 2))).toEqual(Buffer.from('a'));
    expect(completeUtf8(euro)).toEqual(euro);
    expect(completeUtf8(Buffer.from('abc'))).toEqual(Buffer.from('abc'));
  });
});
