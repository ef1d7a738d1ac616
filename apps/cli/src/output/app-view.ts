import { truncate } from './table';

/**
 * How apps read in a terminal. The API's JSON is the source; fields may be missing (an older
 * or newer master), so every cell falls back to `-` rather than failing.
 */
export type ApiApp = Record<string, unknown>;

export const APPS_COLUMNS = ['ID', 'INSTANCES', 'CPUS', 'MEM', 'VERSION', 'CMD'] as const;
const CMD_MAX_CHARS = 50;
const NONE = '-';

export function appRow(app: ApiApp): string[] {
  return [
    text(app.id),
    text(app.instances),
    text(app.cpus),
    text(app.mem),
    text(app.version),
    truncate(commandOf(app), CMD_MAX_CHARS),
  ];
}

/** The key fields of one app, in the order an operator checks them. */
export function appFields(app: ApiApp): [string, string][] {
  const versionInfo = record(app.versionInfo);
  const fields: [string, string][] = [
    ['ID', text(app.id)],
    ['CMD', commandOf(app)],
    ['INSTANCES', text(app.instances)],
    ['CPUS', text(app.cpus)],
    ['MEM', text(app.mem)],
    ['DISK', text(app.disk)],
    ['VERSION', text(app.version)],
    ['LAST CONFIG CHANGE', text(versionInfo.lastConfigChangeAt)],
    ['LAST SCALING', text(versionInfo.lastScalingAt)],
    ['TASKS', tasksSummary(app)],
  ];
  const optional: [string, unknown][] = [
    ['CONSTRAINTS', listOf(app.constraints, (c) => (Array.isArray(c) ? c.join(':') : text(c)))],
    ['PORTS', listOf(app.portDefinitions, (p) => text(record(p).port))],
    ['LABELS', entriesOf(app.labels)],
    ['ENV', entriesOf(app.env)],
  ];
  for (const [key, value] of optional) if (typeof value === 'string' && value !== '') fields.push([key, value]);
  return fields;
}

function commandOf(app: ApiApp): string {
  if (typeof app.cmd === 'string') return app.cmd;
  if (Array.isArray(app.args)) return app.args.map(text).join(' ');
  return NONE;
}

function tasksSummary(app: ApiApp): string {
  const count = (key: string) => (typeof app[key] === 'number' ? String(app[key]) : '0');
  return `${count('tasksRunning')} running, ${count('tasksStaged')} staged, ${count('tasksHealthy')} healthy, ${count('tasksUnhealthy')} unhealthy`;
}

function listOf(value: unknown, show: (item: unknown) => string): string {
  return Array.isArray(value) ? value.map(show).join(', ') : '';
}

function entriesOf(value: unknown): string {
  return Object.entries(record(value))
    .map(([key, v]) => `${key}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function text(value: unknown): string {
  if (value === undefined || value === null || value === '') return NONE;
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
}
