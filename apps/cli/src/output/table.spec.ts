import { formatFields, formatTable, truncate } from './table';

describe('formatTable', () => {
  it('pads every column but the last to its widest cell, with no trailing spaces', () => {
    const text = formatTable(
      ['ID', 'INSTANCES', 'CMD'],
      [
        ['/a', '1', 'sleep 1'],
        ['/prod/web', '10', ''],
      ],
    );
    expect(text).toBe(
      ['ID         INSTANCES  CMD', '/a         1          sleep 1', '/prod/web  10'].join('\n') + '\n',
    );
  });

  it('prints the header alone for no rows', () => {
    expect(formatTable(['ID', 'MEM'], [])).toBe('ID  MEM\n');
  });

  it('lays out 200,000 rows (`cairn tasks` at size) in linear time, without overflowing the stack', () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => [`/app-${i}`, 'RUNNING']);
    const text = formatTable(['ID', 'STATE'], rows);
    expect(text.split('\n')).toHaveLength(200_002);
    // The widest id is '/app-199999' (11 characters).
    expect(text.startsWith(`${'ID'.padEnd(11)}  STATE\n${'/app-0'.padEnd(11)}  RUNNING\n`)).toBe(true);
  });
});

describe('formatFields', () => {
  it('aligns values after the longest key', () => {
    expect(
      formatFields([
        ['ID', '/web'],
        ['INSTANCES', '3'],
      ]),
    ).toBe('ID:         /web\nINSTANCES:  3\n');
  });
});

describe('truncate', () => {
  const cases = [
    { name: 'a short text stays whole', text: 'sleep 100', max: 20, want: 'sleep 100' },
    { name: 'a text of exactly the limit stays whole', text: '12345', max: 5, want: '12345' },
    { name: 'a long text is cut and marked', text: '123456', max: 5, want: '1234…' },
    { name: 'newlines become spaces', text: 'a\n  b', max: 10, want: 'a b' },
  ];
  it.each(cases)('$name', ({ text, max, want }) => {
    expect(truncate(text, max)).toBe(want);
    expect(truncate(text, max).length).toBeLessThanOrEqual(max);
  });
});
