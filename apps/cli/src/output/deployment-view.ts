import { formatAge } from './task-view';
import { NONE, record, text } from './view-values';

/**
 * How deployments read in a terminal: Marathon's DeploymentInfo (/v2/deployments) and Cairn's
 * detail (/v1/deployments: the same fields plus `request` and per-action `progress`). Fields
 * may be missing (another master's version), so every value falls back to `-`.
 */
export type ApiDeployment = Record<string, unknown>;

export const DEPLOYMENTS_COLUMNS = ['ID', 'APPS', 'STEP', 'WAITING FOR'] as const;

/** `progress` is Cairn's /v1 detail; without it the row names the current actions only. */
export function deploymentRow(deployment: ApiDeployment, progress: readonly unknown[] | undefined): string[] {
  const waiting =
    progress === undefined
      ? list(deployment.currentActions).map(actionName)
      : progress.map((p) => `${actionName(p)}: ${waitingFor(p)}`);
  return [
    text(deployment.id),
    list(deployment.affectedApps).map(text).join(',') || NONE,
    stepOf(deployment),
    waiting.join('; ') || NONE,
  ];
}

/** The key fields of one deployment, then its steps; `nowMs` dates the version for reading. */
export function deploymentFields(deployment: ApiDeployment, nowMs: number): [string, string][] {
  return [
    ['ID', text(deployment.id)],
    ['VERSION', versionWithAge(deployment.version, nowMs)],
    ['APPS', list(deployment.affectedApps).map(text).join(', ') || NONE],
    ['STEP', stepOf(deployment)],
    ['REQUESTED BY', requestOf(deployment.request)],
  ];
}

/** `1. StartApplication /a, ScaleApplication /b`, one line per step, the current one marked. */
export function stepLines(deployment: ApiDeployment): string[] {
  const current = typeof deployment.currentStep === 'number' ? deployment.currentStep : undefined;
  return list(deployment.steps).map((step, index) => {
    const actions = list(record(step).actions).map(actionName).join(', ') || NONE;
    const marker = index + 1 === current ? '  <- current' : '';
    return `${index + 1}. ${actions}${marker}`;
  });
}

/**
 * What each current action waits for (Cairn's /v1 `progress`): the reconciler's summary, what it
 * launches and kills now, and why offers did not fit (the launch queue's reasons).
 */
export function progressLines(progress: readonly unknown[]): string[] {
  const lines: string[] = [];
  for (const entry of progress) {
    const p = record(entry);
    lines.push(`${actionName(p)}: ${waitingFor(p)}`);
    const kill = list(p.killNow).map(text);
    const now = [
      typeof p.launchNow === 'number' && p.launchNow > 0 ? `launch ${p.launchNow}` : undefined,
      kill.length > 0 ? `kill ${kill.join(', ')}` : undefined,
    ].filter((part): part is string => part !== undefined);
    if (now.length > 0) lines.push(`  now: ${now.join('; ')}`);
    const reasons = list(p.queueReasons).map(reasonText);
    if (reasons.length > 0) lines.push(`  offers do not fit: ${reasons.join('; ')}`);
  }
  return lines;
}

/**
 * One reason an offer did not fit (Cairn's NoMatchReason): its kind, then its other fields.
 * `InsufficientCpus (requested 2, available 1)`, `UnfulfilledConstraint (constraint hostname:UNIQUE, value a)`.
 */
export function reasonText(reason: unknown): string {
  if (typeof reason === 'string') return reason;
  const { reason: kind, ...rest } = record(reason);
  const facts = Object.entries(rest).map(
    ([key, value]) => `${key} ${Array.isArray(value) ? value.map(text).join(':') : text(value)}`,
  );
  return facts.length > 0 ? `${text(kind)} (${facts.join(', ')})` : text(kind);
}

function actionName(action: unknown): string {
  const a = record(action);
  return `${text(a.action)} ${text(a.app ?? a.pod)}`;
}

function waitingFor(progress: unknown): string {
  const value = record(progress).waitingFor;
  // null is the master's "this action has nothing left to wait for".
  return value === null ? 'done' : text(value);
}

function stepOf(deployment: ApiDeployment): string {
  return `${text(deployment.currentStep)}/${text(deployment.totalSteps)}`;
}

function versionWithAge(version: unknown, nowMs: number): string {
  const ms = typeof version === 'string' ? Date.parse(version) : NaN;
  return Number.isNaN(ms) ? text(version) : `${text(version)} (${formatAge(nowMs - ms)} ago)`;
}

/** `PUT /v2/apps/web from 10.0.0.5`: the HTTP request that started the deployment, when the master kept it. */
function requestOf(request: unknown): string {
  if (request === null || request === undefined) return NONE;
  const r = record(request);
  const from = typeof r.remoteAddress === 'string' ? ` from ${r.remoteAddress}` : '';
  const actor = typeof r.actor === 'string' && r.actor !== '' ? ` by ${r.actor}` : '';
  return `${text(r.method)} ${text(r.path)}${from}${actor}`;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
