import { acceptsEventStream, acceptsGzip, frameIdText, parseLastEventId, sseFrame } from './sse';

describe('SSE frames and ids', () => {
  it('writes id, event and one data line, then a blank line; no id line for events not in the log', () => {
    const event = { eventType: 'app_terminated_event' as const, timestamp: 't', appId: '/a' };
    expect(sseFrame({ offset: 12, index: null }, event)).toBe(
      'id: 12\nevent: app_terminated_event\ndata: {"eventType":"app_terminated_event","timestamp":"t","appId":"/a"}\n\n',
    );
    expect(sseFrame({ offset: 12, index: 2 }, event).startsWith('id: 12.2\nevent: ')).toBe(true);
    expect(sseFrame(null, event).startsWith('event: app_terminated_event\ndata: ')).toBe(true);
    expect(sseFrame(null, { ...event, appId: 'a\nb' }).split('\n')).toHaveLength(4);
  });

  it('resumes after a whole offset, or inside one after its n-th event', () => {
    expect(parseLastEventId(undefined)).toBeNull();
    expect(parseLastEventId(' ')).toBeNull();
    expect(parseLastEventId('41')).toEqual({ from: 42, skipThrough: null });
    expect(parseLastEventId('41.0')).toEqual({ from: 41, skipThrough: 0 });
    expect(frameIdText({ offset: 41, index: 3 })).toBe('41.3');
    for (const bad of ['-1', 'abc', '1.2.3', '1.', '99999999999999999999']) {
      expect(() => parseLastEventId(bad)).toThrow(/Last-Event-ID/);
    }
  });

  it('reads Accept and Accept-Encoding', () => {
    expect(acceptsEventStream('text/event-stream')).toBe(true);
    expect(acceptsEventStream('application/json, Text/Event-Stream;q=0.9')).toBe(true);
    expect(acceptsEventStream('application/json')).toBe(false);
    expect(acceptsEventStream(undefined)).toBe(false);
    expect(acceptsGzip('gzip, deflate')).toBe(true);
    expect(acceptsGzip('br;q=1, gzip;q=0')).toBe(false);
    expect(acceptsGzip(undefined)).toBe(false);
  });
});
