import type { MasterReply } from '../http/master-client';

/** How the answers of writes read: the deployment they started, the log offset they reached. */

/** Marathon's deploymentResult, the answer of most writes. */
export interface DeploymentResult {
  readonly deploymentId?: string;
  readonly version?: string;
}

/** `deployment d-1, version 2025-...` plus the log offset when the master sent one. */
export function deploymentNote(reply: MasterReply<DeploymentResult | undefined>): string {
  const body = reply.body ?? {};
  return `deployment ${body.deploymentId ?? '-'}, version ${body.version ?? '-'}${offsetNote(reply)}`;
}

export function offsetNote(reply: MasterReply<unknown>): string {
  return reply.offset === undefined ? '' : `, log offset ${reply.offset}`;
}

/**
 * The warning for X-Cairn-Ignored-Fields, or undefined when the master dropped nothing. A
 * misspelt field is otherwise silent: the write succeeds without it.
 */
export function ignoredFieldsWarning(reply: MasterReply<unknown>): string | undefined {
  const fields = reply.ignoredFields ?? [];
  if (fields.length === 0) return undefined;
  const noun = fields.length === 1 ? 'field' : 'fields';
  return `warning: the master ignored unknown app ${noun} ${fields.join(', ')} (misspelt?)`;
}
