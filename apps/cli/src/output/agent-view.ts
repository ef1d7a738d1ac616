import { NONE, numberOr, record, text } from './view-values';

/** How `/v1/agents` reads in a terminal: one row per agent, resources as used/total. */
export type ApiAgent = Record<string, unknown>;

export const AGENTS_COLUMNS = [
  'ID',
  'HOSTNAME',
  'STATUS',
  'DRAIN',
  'CONNECTED',
  'CPUS',
  'MEM',
  'PORTS',
  'TASKS',
  'ATTRIBUTES',
] as const;

/** Agent ids are UUIDs; the first group tells agents of one cluster apart (`--json` has the whole id). */
export const AGENT_ID_SHORT_CHARS = 8;

export function agentRow(agent: ApiAgent): string[] {
  const total = record(agent.resources);
  const used = record(agent.used);
  return [
    shortId(agent.agentId),
    text(agent.hostname),
    text(agent.status),
    drainCell(agent.drain),
    typeof agent.connected === 'boolean' ? (agent.connected ? 'yes' : 'no') : NONE,
    usedOfTotal(used.cpus, total.cpus),
    usedOfTotal(used.mem, total.mem),
    formatPortRanges(total.ports),
    text(agent.tasks),
    formatAttributes(agent.attributes),
  ];
}

/** `DRAINING` (with its deadline, `DRAINING until 2026-…`) or `DRAINED`; `-` for an agent not in maintenance. */
function drainCell(drain: unknown): string {
  const d = record(drain);
  if (typeof d.state !== 'string') return NONE;
  return typeof d.deadline === 'string' && d.state === 'DRAINING' ? `${d.state} until ${d.deadline}` : d.state;
}

function shortId(id: unknown): string {
  return typeof id === 'string' && id !== '' ? id.slice(0, AGENT_ID_SHORT_CHARS) : NONE;
}

/** `0.5/4`; a missing `used` means nothing is used (an agent without tasks). */
export function usedOfTotal(used: unknown, total: unknown): string {
  const totalValue = numberOr(total);
  if (totalValue === undefined) return NONE;
  return `${numberOr(used) ?? 0}/${totalValue}`;
}

/** `31000-32000,40000` from Cairn's `[[begin, end], ...]` ranges. */
export function formatPortRanges(ranges: unknown): string {
  if (!Array.isArray(ranges) || ranges.length === 0) return NONE;
  return ranges
    .map((range) => {
      if (!Array.isArray(range) || range.length !== 2) return text(range);
      const [begin, end] = range as unknown[];
      return begin === end ? String(begin) : `${String(begin)}-${String(end)}`;
    })
    .join(',');
}

function formatAttributes(attributes: unknown): string {
  const entries = Object.entries(record(attributes));
  if (entries.length === 0) return NONE;
  return entries.map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`).join(',');
}
