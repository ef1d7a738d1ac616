import type { VerifyReport } from '../control-plane';

/** The human summary of `cairn verify`: what was checked, then the result. */
export function verifySummary(report: VerifyReport): [string, string][] {
  const { chain, checkpoints, failure } = report;
  const snapshots = checkpoints.filter((c) => c.source === 'snapshot');
  const leader = checkpoints.find((c) => c.source === 'leader');
  const compared = snapshots.filter((c) => c.matches !== null);
  const rows: [string, string][] = [
    ['LOG', report.log],
    ['RECORDS', `${report.records} checked (end offset ${report.endOffset})`],
    ['CHAIN', chainLine(chain)],
    ['EVENTS', `${report.events} folded`],
    [
      'SNAPSHOTS',
      snapshots.length === 0
        ? 'none recorded'
        : `${compared.length} of ${snapshots.length} compared, ${compared.filter((c) => c.matches).length} match`,
    ],
  ];
  if (leader) {
    const state = leader.matches === null ? 'not reached' : leader.matches ? 'matches' : 'DIFFERS';
    rows.push(['LEADER', `state hash at offset ${leader.offset} ${state}`]);
  }
  rows.push(['RESULT', failure ? `FAILED at offset ${failure.offset ?? '?'} (${failure.kind})` : 'ok']);
  rows.push(['TIME', `${(report.durationMs / 1000).toFixed(1)} s`]);
  return rows;
}

function chainLine(chain: VerifyReport['chain']): string {
  if (chain.start === null) {
    return chain.unchainedBefore > 0 ? 'none: every record predates the chain' : 'no records';
  }
  const before = chain.unchainedBefore > 0 ? `, ${chain.unchainedBefore} older records before it` : '';
  return `from offset ${chain.start} (${chain.chained} chained${before})`;
}

/** The failure for stderr: the offset first, then what was found. */
export function verifyFailureLines(report: VerifyReport): string[] {
  const failure = report.failure;
  if (!failure) return [];
  const lines = [`verify failed at offset ${failure.offset ?? '?'} (${failure.kind}): ${failure.message}`];
  if (failure.segment !== undefined) lines.push(`  segment ${failure.segment}, byte ${failure.position}`);
  const divergence = failure.divergence;
  if (divergence) {
    lines.push(`  last matching state: offset ${divergence.lastMatchingOffset}`);
    if (divergence.why) lines.push(`  not narrowed down: ${divergence.why}`);
    for (const d of divergence.differences) {
      lines.push(`  ${d.kind} in ${d.field}${d.key === null ? '' : ` ${JSON.stringify(d.key)}`}`);
    }
    const more = divergence.differencesTotal - divergence.differences.length;
    if (more > 0) lines.push(`  ... and ${more} more differing entries`);
  }
  return lines;
}
