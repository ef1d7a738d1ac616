import {
  AgentHandle,
  describeEachBackend,
  Json,
  MasterHandle,
  startAgent,
  startMaster,
  TEST_MASTER_AGENT_ENV,
  waitFor,
  ALIVE_HTTP_CHECK,
  SERVE_SANDBOX_CMD,
  waitForSettled,
} from '../harness';
import { request as httpRequest, type ClientRequest, type IncomingHttpHeaders } from 'node:http';
import { createGunzip } from 'node:zlib';
import { CLIENT_EVENT_TYPES } from '../harness/marathon-shapes';

jest.setTimeout(180_000);

/** Real tasks with health checks: python's http.server on $PORT0, checked on `/alive` every second. */
const SERVE = SERVE_SANDBOX_CMD;
const HTTP_CHECK = ALIVE_HTTP_CHECK;

interface Frame {
  readonly id: string | null;
  readonly event: string;
  readonly data: Json;
}

/** A test's SSE client: collects the frames of one GET /v2/events (gunzipping when the server gzips). */
class SseReader {
  readonly frames: Frame[] = [];
  private text = '';
  private ended = false;

  private constructor(
    private readonly request: ClientRequest,
    readonly status: number,
    readonly headers: IncomingHttpHeaders,
  ) {}

  static open(master: MasterHandle, query = '', headers: Record<string, string> = {}): Promise<SseReader> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(new URL(`/v2/events${query}`, master.url), {
        headers: { accept: 'text/event-stream', ...headers },
        agent: false,
      });
      req.on('error', reject);
      req.on('response', (res) => {
        const reader = new SseReader(req, res.statusCode ?? 0, res.headers);
        const body = res.headers['content-encoding'] === 'gzip' ? res.pipe(createGunzip()) : res;
        body.setEncoding('utf8');
        body.on('data', (chunk: string) => reader.push(chunk));
        body.on('end', () => (reader.ended = true));
        body.on('error', () => (reader.ended = true));
        resolve(reader);
      });
      req.end();
    });
  }

  /** Frames with an id (from the log), in arrival order. */
  get logFrames(): Frame[] {
    return this.frames.filter((f) => f.id !== null);
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Waits for a frame matching `predicate` and returns its index in `frames`. */
  async waitForFrame(predicate: (frame: Frame) => boolean, describe: string): Promise<number> {
    const index = await waitFor(
      () => {
        const i = this.frames.findIndex(predicate);
        return i >= 0 ? i + 1 : undefined;
      },
      {
        timeoutMs: 90_000,
        describe,
        onTimeout: () => `frames so far: ${this.frames.map((f) => `${f.id ?? '-'} ${f.event}`).join(', ')}`,
      },
    );
    return index - 1;
  }

  /** Drops the connection the way a crashing client does. */
  close(): void {
    this.request.destroy();
  }

  private push(chunk: string): void {
    this.text += chunk;
    let end: number;
    while ((end = this.text.indexOf('\n\n')) >= 0) {
      const block = this.text.slice(0, end);
      this.text = this.text.slice(end + 2);
      const field = (name: string) =>
        block
          .split('\n')
          .find((line) => line.startsWith(`${name}: `))
          ?.slice(name.length + 2) ?? null;
      this.frames.push({ id: field('id'), event: field('event') ?? '', data: JSON.parse(field('data') ?? 'null') });
    }
  }
}

/** Frame ids in log order: offset, then the index inside the offset (a plain offset is its only event). */
function idKey(id: string): [number, number] {
  const [offset, index] = id.split('.');
  return [Number(offset), index === undefined ? -1 : Number(index)];
}
function strictlyIncreasing(ids: readonly string[]): boolean {
  return ids.every((id, i) => {
    if (i === 0) return true;
    const [a, b] = [idKey(ids[i - 1]), idKey(id)];
    return b[0] > a[0] || (b[0] === a[0] && b[1] > a[1]);
  });
}

const isAttached = (f: Frame) => f.event === 'event_stream_attached' && f.id === null;

describeEachBackend('GET /v2/events (Marathon event bus from the log)', (backend) => {
  let master: MasterHandle;
  let agent: AgentHandle;
  const readers: SseReader[] = [];
  const open = async (query = '', headers: Record<string, string> = {}) => {
    const reader = await SseReader.open(master, query, headers);
    readers.push(reader);
    return reader;
  };

  beforeAll(async () => {
    master = await startMaster({ backend, env: TEST_MASTER_AGENT_ENV });
    agent = await startAgent({
      masterUrl: master.url,
      hostname: 'node-1',
      resources: 'cpus:8;mem:8192;ports:[31400-31599]',
    });
  });

  afterEach(() => {
    for (const reader of readers.splice(0)) reader.close();
  });

  afterAll(async () => {
    await agent?.killTasksAndStop();
    await master?.stop();
  });

  it('answers 405 with a Marathon message unless the client accepts text/event-stream', async () => {
    const res = await master.http.get('/v2/events');
    expect(res.status).toBe(405);
    expect(res.body).toEqual({ message: expect.stringContaining('text/event-stream') });
  });

  it('renders a deployment with health events; a client that drops and resumes with Last-Event-ID gets every frame once, in order', async () => {
    const id = '/sse/web';
    const uninterrupted = await open();
    const first = await open();
    // Both are attached (their start is fixed) before anything is written: they start at the same point.
    await uninterrupted.waitForFrame(isAttached, 'attached (uninterrupted)');
    await first.waitForFrame(isAttached, 'attached (first)');
    expect(first.frames[0]).toMatchObject({ id: null, event: 'event_stream_attached' });

    const post = await master.http.post('/v2/apps', {
      id,
      cmd: SERVE,
      instances: 2,
      cpus: 0.05,
      mem: 16,
      healthChecks: [HTTP_CHECK],
    });
    expect(post.status).toBe(201);
    const deploymentId = (post.body.deployments as Json[])[0].id as string;

    // The client keeps what it processed up to a frame, drops the connection and resumes from that id.
    const kept: Frame[] = [];
    const cuts: ((f: Frame) => boolean)[] = [
      (f) => f.event === 'deployment_info' && f.id?.endsWith('.0') === true, // inside one offset
      (f) => f.event === 'status_update_event' && f.data.taskStatus === 'TASK_RUNNING',
      (f) => f.event === 'deployment_step_success', // a whole offset (its only event)
    ];
    let reader = first;
    for (const cut of cuts) {
      const at = await reader.waitForFrame(cut, `cut frame ${cut.toString()}`);
      kept.push(...reader.frames.slice(0, at + 1).filter((f) => !isAttached(f)));
      reader.close();
      reader = await open('', { 'last-event-id': kept[kept.length - 1].id! });
    }
    const isDone = (f: Frame) => f.event === 'deployment_success' && f.data.id === deploymentId;
    const lastAt = await reader.waitForFrame(isDone, 'deployment_success after the last resume');
    expect(isAttached(reader.frames[0])).toBe(true);
    kept.push(...reader.frames.slice(0, lastAt + 1).filter((f) => !isAttached(f)));

    const doneAt = await uninterrupted.waitForFrame(isDone, 'deployment_success (uninterrupted)');
    const expected = uninterrupted.frames.slice(0, doneAt + 1).filter((f) => f.id !== null);
    expect(kept.map((f) => `${f.id} ${f.event}`)).toEqual(expected.map((f) => `${f.id} ${f.event}`));
    expect(kept).toEqual(expected);
    expect(strictlyIncreasing(kept.map((f) => f.id!))).toBe(true);
    // No frame came twice, and the first is the POST's first event.
    expect(new Set(kept.map((f) => f.id)).size).toBe(kept.length);

    const types = expected.map((f) => f.event);
    for (const type of types) expect(CLIENT_EVENT_TYPES.has(type)).toBe(true);
    expect(types[0]).toBe('deployment_info');
    expect(types).toEqual(
      expect.arrayContaining([
        'group_change_success',
        'api_post_event',
        'status_update_event',
        'instance_changed_event',
        'health_status_changed_event',
        'instance_health_changed_event',
        'deployment_step_success',
        'deployment_success',
      ]),
    );
    for (const frame of expected) {
      expect(frame.data.eventType).toBe(frame.event);
      expect(new Date(frame.data.timestamp as string).toISOString()).toBe(frame.data.timestamp);
    }
    const byType = (type: string) => expected.filter((f) => f.event === type).map((f) => f.data);
    expect(byType('api_post_event')).toEqual([
      expect.objectContaining({ uri: '/v2/apps', appDefinition: expect.objectContaining({ id, instances: 2 }) }),
    ]);
    const running = byType('status_update_event').filter((e) => e.taskStatus === 'TASK_RUNNING');
    expect(running).toHaveLength(2);
    for (const e of running) {
      expect(e).toMatchObject({ appId: id, host: 'node-1', ports: [expect.any(Number)], version: expect.any(String) });
    }
    expect(byType('health_status_changed_event').filter((e) => e.alive === true)).toHaveLength(2);
    expect(byType('instance_health_changed_event').filter((e) => e.healthy === true)).toHaveLength(2);
    const info = byType('deployment_info')[0];
    expect(Object.keys(info.plan).sort()).toEqual(['id', 'original', 'steps', 'target', 'version']);
    expect(info.plan).toMatchObject({ id: deploymentId, original: { id: '/', apps: [] }, target: { id: '/' } });
    expect(byType('deployment_success')).toEqual([expect.objectContaining({ id: deploymentId })]);
  });

  it('filters by repeated event_type, gzips when asked, and keeps the same ids on every stream', async () => {
    const id = '/sse/web';
    await waitForSettled(master, id, 2, { healthy: true });
    const plain = await open();
    const filtered = await open('?event_type=deployment_success&event_type=status_update_event');
    const gzipped = await open('', { 'accept-encoding': 'gzip' });
    const light = await open('?plan-format=light');
    // The gzip stream's first frame arrives before any event: each write is flushed.
    for (const r of [plain, gzipped, light]) await r.waitForFrame(isAttached, 'attached');
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['content-type']).toMatch(/^text\/event-stream/);
    // No attached frame for the filtered stream (not asked for): its headers came after its start was fixed.
    expect(filtered.status).toBe(200);

    const put = await master.http.put(`/v2/apps${id}`, { instances: 3 });
    expect(put.status).toBe(200);
    const isDone = (f: Frame) => f.event === 'deployment_success' && f.data.id === put.body.deploymentId;
    const end = await plain.waitForFrame(isDone, 'deployment_success (plain)');
    const expected = plain.frames.slice(0, end + 1).filter((f) => f.id !== null);

    const gzEnd = await gzipped.waitForFrame(isDone, 'deployment_success (gzip)');
    expect(gzipped.frames.slice(0, gzEnd + 1).filter((f) => f.id !== null)).toEqual(expected);

    const fEnd = await filtered.waitForFrame(isDone, 'deployment_success (filtered)');
    const wanted = new Set(['deployment_success', 'status_update_event']);
    expect(filtered.frames.slice(0, fEnd + 1)).toEqual(expected.filter((f) => wanted.has(f.event)));
    expect(filtered.frames.some((f) => f.event === 'status_update_event')).toBe(true);

    const lEnd = await light.waitForFrame(isDone, 'deployment_success (light)');
    const lightDone = light.frames[lEnd].data;
    expect(lightDone.plan).toMatchObject({ original: { apps: [] }, target: { apps: [] } });
    expect(
      light.frames
        .slice(0, lEnd + 1)
        .filter((f) => f.id !== null)
        .map((f) => f.id),
    ).toEqual(expected.map((f) => f.id));
  });

  it('answers 400 to a Last-Event-ID it never sent', async () => {
    const bad = await open('', { 'last-event-id': 'not-an-id' });
    expect(bad.status).toBe(400);
  });
});
