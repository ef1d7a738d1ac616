import { asFileChunk, printableChunk } from './log-chunk';

describe('printableChunk', () => {
  it('advances by the UTF-8 bytes of the data, not its UTF-16 length', () => {
    expect(printableChunk({ data: 'héllo €', offset: 10 })).toEqual({ text: 'héllo €', nextOffset: 10 + 10 });
  });

  it('an empty read stays where it is', () => {
    expect(printableChunk({ data: '', offset: 7 })).toEqual({ text: '', nextOffset: 7 });
  });

  it('drops the continuation bytes a --tail start landed on, counting one byte each', () => {
    // '€' is E2 82 AC: a read starting at 82 decodes 82 AC as two U+FFFD.
    expect(printableChunk({ data: '\uFFFD\uFFFDab', offset: 5 }, { startsMidCharacter: true })).toEqual({
      text: 'ab',
      nextOffset: 9,
    });
  });

  it('keeps a replacement character that is not at a --tail start', () => {
    expect(printableChunk({ data: '\uFFFDa', offset: 0 })).toEqual({ text: '\uFFFDa', nextOffset: 4 });
  });
});

describe('asFileChunk', () => {
  const cases = [
    { name: 'a chunk is accepted', body: { data: 'x', offset: 0 }, ok: true },
    { name: 'a size answer is accepted', body: { data: '', offset: 123 }, ok: true },
    { name: 'data must be a string', body: { data: 1, offset: 0 }, ok: false },
    { name: 'offset must be a whole number', body: { data: '', offset: 1.5 }, ok: false },
    { name: 'no body is refused', body: undefined, ok: false },
  ];
  it.each(cases)('$name', ({ body, ok }) => {
    expect(asFileChunk(body) !== undefined).toBe(ok);
  });
});
