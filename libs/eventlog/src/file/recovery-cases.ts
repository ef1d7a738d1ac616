/**
 * What recovery does with the bytes at one position of the last segment: a labelled table, in
 * the manner of TigerBeetle's `recovery_cases` (src/vsr/journal.zig). Every combination of the
 * inputs matches exactly one row; `recovery-cases.spec.ts` walks all of them.
 *
 * The one judgement in it: a frame that is not intact is a torn tail (an append that never
 * finished, so never acknowledged) only when nothing valid follows it. If a valid frame follows,
 * acknowledged data was damaged after it was written, and Cairn refuses to open rather than cut
 * or skip it (FORMAT.md, "Open and recovery").
 */
export interface RecoveryInputs {
  /** No bytes left in the segment. */
  readonly atEnd: boolean;
  /** At least a frame header's worth of bytes remain. */
  readonly headerWhole: boolean;
  /** Type 1, reserved bytes zero, length within bounds. */
  readonly headerSane: boolean;
  /** The length in the header fits before the end of the segment. */
  readonly frameWhole: boolean;
  readonly checksumOk: boolean;
  /** The base offset is the one after the previous frame (the segment's name for the first). */
  readonly offsetOk: boolean;
  /** Somewhere after this position starts a sane, whole, checksummed frame with a base offset >= the expected one. */
  readonly validFrameFollows: boolean;
}

export type RecoveryAction = 'stop' | 'keep' | 'truncate' | 'corrupt';

type Pattern = boolean | '_';

export interface RecoveryCase {
  readonly label: string;
  readonly when: { readonly [K in keyof RecoveryInputs]: Pattern };
  readonly action: RecoveryAction;
}

const row = (
  label: string,
  [atEnd, headerWhole, headerSane, frameWhole, checksumOk, offsetOk, validFrameFollows]: Pattern[],
  action: RecoveryAction,
): RecoveryCase => ({
  label,
  when: { atEnd, headerWhole, headerSane, frameWhole, checksumOk, offsetOk, validFrameFollows },
  action,
});

//                                                                  atEnd  hdrWh  hdrOk  frmWh  crcOk  offOk  follows
// prettier-ignore
export const RECOVERY_CASES: readonly RecoveryCase[] = [
  row('end of segment: recovery is done',                          [true,  '_',   '_',   '_',   '_',   '_',   '_'  ], 'stop'),
  row('intact frame: keep it and step over it',                   [false, true,  true,  true,  true,  true,  '_'  ], 'keep'),
  row('checksum good but base offset out of sequence',            [false, true,  true,  true,  true,  false, '_'  ], 'corrupt'),
  row('torn tail: fewer bytes than a header',                     [false, false, '_',   '_',   '_',   '_',   false], 'truncate'),
  row('torn tail: header is not a frame header (zeros, garbage)', [false, true,  false, '_',   '_',   '_',   false], 'truncate'),
  row('torn tail: frame runs past the end of the file',           [false, true,  true,  false, '_',   '_',   false], 'truncate'),
  row('torn tail: last frame fails its checksum',                 [false, true,  true,  true,  false, '_',   false], 'truncate'),
  row('corrupt: short bytes, yet a valid frame follows',          [false, false, '_',   '_',   '_',   '_',   true ], 'corrupt'),
  row('corrupt: damaged header before a valid frame',             [false, true,  false, '_',   '_',   '_',   true ], 'corrupt'),
  row('corrupt: frame length overruns a valid frame',             [false, true,  true,  false, '_',   '_',   true ], 'corrupt'),
  row('corrupt: checksum mismatch before a valid frame',          [false, true,  true,  true,  false, '_',   true ], 'corrupt'),
];

export function matchesCase(recoveryCase: RecoveryCase, inputs: RecoveryInputs): boolean {
  return (Object.keys(recoveryCase.when) as (keyof RecoveryInputs)[]).every(
    (input) => recoveryCase.when[input] === '_' || recoveryCase.when[input] === inputs[input],
  );
}

export function recoveryCaseFor(inputs: RecoveryInputs): RecoveryCase {
  const found = RECOVERY_CASES.find((c) => matchesCase(c, inputs));
  // Unreachable while recovery-cases.spec.ts passes: every combination has a row.
  if (!found) throw new Error(`no recovery case for ${JSON.stringify(inputs)}`);
  return found;
}
