import http from 'node:http';

/** How long a reader may take to reach the end before the run fails (a stall, not a measurement). */
const READ_TIMEOUT_MS = 300_000;

export interface StreamRead {
  /** Frames (SSE) or lines (NDJSON) received. */
  readonly items: number;
  readonly bytes: number;
}

/**
 * Reads one stream until it has delivered the event at `lastOffset`, then drops it. The client's
 * work is kept equal and small on both sides: split into frames/lines, parse the JSON of each
 * (what any consumer does), keep the offset of the last.
 */
export function readUntil(
  url: string,
  kind: 'sse' | 'ndjson',
  lastOffset: number,
  headers: Record<string, string>,
): Promise<StreamRead> {
  return new Promise((resolve, reject) => {
    let items = 0;
    let bytes = 0;
    let pending = '';
    const separator = kind === 'sse' ? '\n\n' : '\n';
    const req = http.get(url, { headers, agent: false }, (res) => {
      if (res.statusCode !== 200) {
        req.destroy();
        reject(new Error(`GET ${url}: HTTP ${res.statusCode}`));
        return;
      }
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        bytes += Buffer.byteLength(chunk);
        pending += chunk;
        let end: number;
        let offset = -1;
        while ((end = pending.indexOf(separator)) >= 0) {
          const item = pending.slice(0, end);
          pending = pending.slice(end + separator.length);
          items++;
          offset = kind === 'sse' ? sseOffset(item) : (JSON.parse(item) as { offset: number }).offset;
        }
        if (offset >= lastOffset) {
          clearTimeout(timer);
          req.destroy();
          resolve({ items, bytes });
        }
      });
      res.on('error', () => undefined);
    });
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`GET ${url}: offset ${lastOffset} not reached in ${READ_TIMEOUT_MS} ms (${items} items)`));
    }, READ_TIMEOUT_MS);
  });
}

/** The frame's log offset (-1 for a frame without id); parses the data as a consumer would. */
function sseOffset(frame: string): number {
  let offset = -1;
  for (const line of frame.split('\n')) {
    if (line.startsWith('id: ')) offset = Number.parseInt(line.slice(4), 10);
    else if (line.startsWith('data: ')) JSON.parse(line.slice(6));
  }
  return offset;
}
