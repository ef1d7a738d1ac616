import { truncate } from './table';

/**
 * One human line per event: offset, time, type, then the data fields an operator scans for.
 * Events arrive one by one (follow mode), so the widths are fixed rather than measured.
 */
export interface ApiEvent {
  readonly offset: number;
  readonly type: string;
  readonly at?: string;
  readonly actor?: string;
  readonly data?: unknown;
}

const OFFSET_WIDTH = 6;
const TYPE_WIDTH = 14;
const SUMMARY_FIELDS_MAX = 6;
const CMD_MAX_CHARS = 40;

export function formatEventLine(event: ApiEvent): string {
  const summary = summarize(event.type, record(event.data));
  return [
    String(event.offset).padStart(OFFSET_WIDTH),
    event.at ?? '-',
    event.type.padEnd(TYPE_WIDTH),
    summary.map(([key, value]) => `${key}=${quote(value)}`).join(' '),
  ]
    .join('  ')
    .trimEnd();
}

/** Known types name their key fields; any other type shows its scalar fields, so new types still read well. */
function summarize(type: string, data: Record<string, unknown>): [string, unknown][] {
  switch (type) {
    case 'AppCreated':
    case 'AppUpdated': {
      const app = record(data.app);
      const cmd = typeof app.cmd === 'string' ? truncate(app.cmd, CMD_MAX_CHARS) : undefined;
      return present([
        ['app', app.id],
        ['instances', app.instances],
        ['cpus', app.cpus],
        ['mem', app.mem],
        ['cmd', cmd],
      ]);
    }
    case 'AppScaled':
      return present([
        ['app', data.appId],
        ['instances', data.instances],
      ]);
    case 'AppDeleted':
      return present([['app', data.appId]]);
    case 'LeaderElected':
      return present([
        ['instance', data.instance],
        ['epoch', data.epoch],
      ]);
    default:
      return genericSummary(data);
  }
}

function genericSummary(data: Record<string, unknown>): [string, unknown][] {
  const fields: [string, unknown][] = [];
  for (const [key, value] of Object.entries(data)) {
    if (fields.length === SUMMARY_FIELDS_MAX) break;
    if (value === null || typeof value !== 'object') fields.push([key, value]);
    else if (typeof record(value).id === 'string') fields.push([key, record(value).id]);
    else if (Array.isArray(value)) fields.push([key, `[${value.length}]`]);
  }
  return fields;
}

function present(fields: [string, unknown][]): [string, unknown][] {
  return fields.filter(([, value]) => value !== undefined && value !== null);
}

/** Bare when unambiguous, JSON-quoted when the value has spaces, quotes or `=`. */
function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  return /^[^\s"=]*$/.test(text) && text !== '' ? text : JSON.stringify(text);
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
