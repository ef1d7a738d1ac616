import { describe, expect, it } from '@jest/globals';
import { matchesCase, RECOVERY_CASES, type RecoveryInputs } from './recovery-cases';

const INPUTS: (keyof RecoveryInputs)[] = [
  'atEnd',
  'headerWhole',
  'headerSane',
  'frameWhole',
  'checksumOk',
  'offsetOk',
  'validFrameFollows',
];

describe('RECOVERY_CASES', () => {
  it('every combination of inputs matches exactly one case', () => {
    for (let bits = 0; bits < 1 << INPUTS.length; bits++) {
      const inputs = Object.fromEntries(
        INPUTS.map((name, i) => [name, (bits & (1 << i)) !== 0]),
      ) as unknown as RecoveryInputs;
      const matching = RECOVERY_CASES.filter((c) => matchesCase(c, inputs)).map((c) => c.label);
      expect({ inputs, matching: matching.length }).toEqual({ inputs, matching: 1 });
    }
  });

  it('never cuts a frame that a valid frame follows', () => {
    for (const c of RECOVERY_CASES) {
      if (c.when.validFrameFollows === true) expect(c.action).toBe('corrupt');
    }
  });

  it('every case is reachable (no row is shadowed)', () => {
    for (const c of RECOVERY_CASES) {
      const inputs = Object.fromEntries(INPUTS.map((name) => [name, c.when[name] === '_' ? false : c.when[name]]));
      expect(RECOVERY_CASES.find((r) => matchesCase(r, inputs as unknown as RecoveryInputs))).toBe(c);
    }
  });
});
