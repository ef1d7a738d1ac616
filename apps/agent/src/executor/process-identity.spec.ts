import { parseProcStat } from './process-identity';

describe('parseProcStat', () => {
  it('reads state, group, session and start time (field 22)', () => {
    const line =
      '4242 (sleep) S 4241 4241 4241 0 -1 4194304 90 0 0 0 0 0 0 0 20 0 1 0 987654 8192000 200 ' +
      '18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0';
    expect(parseProcStat(line)).toEqual({
      pid: 4242,
      state: 'S',
      ppid: 4241,
      pgid: 4241,
      sid: 4241,
      startTime: 987654,
    });
  });

  it('counts fields from the last parenthesis, so a command name with spaces and ")" does not shift them', () => {
    const line = '77 (evil ) S 1 (x) Z 5 6 7 8 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 123 0 0';
    expect(parseProcStat(line)).toMatchObject({ pid: 77, state: 'Z', ppid: 5, pgid: 6, sid: 7, startTime: 123 });
  });

  it('refuses a line without a command name', () => {
    expect(() => parseProcStat('garbage')).toThrow(/unparsable/);
  });
});
