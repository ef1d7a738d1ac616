import { Command, Option } from 'commander';
import type { CliContext } from '../cli-context';
import { UsageError } from '../errors';
import { addJsonOption, addMasterOption, masterClient } from '../options';
import type { Output } from '../output/output';
import { addOfflineOptions, offlineConfig, replayProgress, withOfflineLog, type OfflineFlags } from './offline-source';

type Json = Record<string, unknown>;
const KINDS = ['task', 'app', 'deployment', 'agent'] as const;
type Kind = (typeof KINDS)[number];

interface WhyFlags extends OfflineFlags {
  readonly master?: string;
  readonly json?: boolean;
}

interface AuditFlags extends WhyFlags {
  readonly actor?: string;
  readonly app?: string;
  readonly since?: string;
}

/** `cairn why task|app|deployment|agent ID` and `cairn audit`: read from what the log recorded. */
export function registerWhyCommands(program: Command, ctx: CliContext, output: Output): void {
  addOfflineOptions(addJsonOption(addMasterOption(program.command('why'))))
    .description(
      'the causal chain behind a task, app, deployment or agent: the request, the deployment, the offer and the ' +
        'placement (with the agents passed over), every status and health change, how it ended and what replaced it',
    )
    .addArgument(new Command().createArgument('<kind>', 'task, app, deployment or agent').choices(KINDS))
    .argument('<id>', 'its id (an app id such as /prod/web)')
    .action(async (kind: Kind, id: string, flags: WhyFlags) => {
      const answer = await why(ctx, output, flags, kind, id);
      if (flags.json) return output.json(answer);
      printWhy(output, answer);
    });

  addOfflineOptions(addJsonOption(addMasterOption(program.command('audit'))))
    .description('who changed what, when and from where, with the difference in each app definition')
    .addOption(new Option('--actor <name>', 'only this actor (a user or token name)'))
    .addOption(new Option('--app <id>', 'only changes to this app'))
    .addOption(new Option('--since <time>', 'only from this ISO-8601 time on'))
    .action(async (flags: AuditFlags) => {
      const entries = await auditEntries(ctx, flags);
      if (flags.json) return output.json({ entries });
      if (entries.length === 0) output.line('no changes');
      for (const entry of entries) printAuditEntry(output, entry);
    });
}

async function why(ctx: CliContext, output: Output, flags: WhyFlags, kind: Kind, id: string): Promise<Json> {
  const offline = offlineConfig(ctx, flags);
  if (!offline) {
    const master = masterClient(flags.master, ctx.env);
    const path =
      kind === 'app'
        ? `/v1/apps/${id.replace(/^\/+/, '').split('/').map(encodeURIComponent).join('/')}/why`
        : `/v1/${kind}s/${encodeURIComponent(id)}/why`;
    return (await master.get<Json>(path)).body;
  }
  const { EventQueryError } = await import('@cairn/events');
  return withOfflineLog(ctx, offline, async (log) => {
    const progress = replayProgress(ctx);
    try {
      return await log.why(kind, kind === 'app' ? '/' + id.replace(/^\/+/, '') : id, progress.onProgress);
    } catch (error) {
      if (error instanceof EventQueryError) throw new UsageError(error.message);
      throw error;
    } finally {
      progress.done();
    }
  });
}

async function auditEntries(ctx: CliContext, flags: AuditFlags): Promise<Json[]> {
  const { parseLogPosition, EventQueryError } = await import('@cairn/events');
  let sinceMs: number | undefined;
  if (flags.since !== undefined) {
    try {
      const position = parseLogPosition(flags.since, '--since');
      if ('offset' in position) throw new EventQueryError(`--since must be a time, got '${flags.since}'`);
      sinceMs = position.timeMs;
    } catch (error) {
      if (error instanceof EventQueryError) throw new UsageError(error.message);
      throw error;
    }
  }
  const app = flags.app === undefined ? undefined : '/' + flags.app.replace(/^\/+/, '').replace(/\/+$/, '');
  const offline = offlineConfig(ctx, flags);
  if (!offline) {
    const master = masterClient(flags.master, ctx.env);
    const params = new URLSearchParams();
    if (flags.actor) params.set('actor', flags.actor);
    if (app) params.set('app', app);
    if (flags.since) params.set('since', flags.since);
    const body = (await master.get<{ entries?: Json[] }>(`/v1/audit?${params.toString()}`)).body;
    return body.entries ?? [];
  }
  return withOfflineLog(
    ctx,
    offline,
    async (log) => (await log.audit({ actor: flags.actor, app, sinceMs })) as unknown as Json[],
  );
}

function printWhy(output: Output, answer: Json): void {
  for (const [section, value] of Object.entries(answer)) {
    if (Array.isArray(value)) {
      output.line(`${section.toUpperCase()}:`);
      if (value.length === 0) output.line('  -');
      for (const item of value as Json[]) output.line(`  ${line(item)}`);
    } else if (value && typeof value === 'object') {
      output.line(`${section.toUpperCase()}:`);
      for (const [key, field] of Object.entries(value as Json)) {
        output.line(`  ${key}: ${typeof field === 'string' ? field : JSON.stringify(field)}`);
      }
    } else {
      output.line(`${section.toUpperCase()}: ${value === null ? '-' : String(value)}`);
    }
  }
}

function line(item: Json): string {
  if (typeof item.text === 'string')
    return `${String(item.offset).padStart(6)}  ${String(item.at)}  ${item.text}${item.actor && item.actor !== 'system' ? `  (${String(item.actor)})` : ''}`;
  return JSON.stringify(item);
}

function printAuditEntry(output: Output, entry: Json): void {
  const request = entry.request as Json | null;
  const from = request
    ? ` from ${String(request.remoteAddress ?? 'unknown')} (${String(request.method)} ${String(request.path)})`
    : '';
  output.line(`${String(entry.at)}  offset ${String(entry.offset)}  ${String(entry.actor)}${from}`);
  for (const what of (entry.what as string[]) ?? []) output.line(`  ${what}`);
  for (const change of (entry.changes as Json[]) ?? []) {
    for (const field of (change.fields as Json[]) ?? []) {
      output.line(
        `  ${String(change.appId)} ${String(field.field)}: ${JSON.stringify(field.from)} → ${JSON.stringify(field.to)}`,
      );
    }
  }
}
