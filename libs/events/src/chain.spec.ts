import { createHash } from 'node:crypto';
import { CHAIN_GENESIS, CHAIN_HEADER, chainOf, chainRecords, chainValue, isChainValue } from './chain';

const record = (value: string, headers?: Record<string, string>) => ({ key: 'k', value: Buffer.from(value), headers });

describe('the hash chain over records', () => {
  it('is sha256 of the previous value as 32 bytes followed by the record value', () => {
    const expected = createHash('sha256').update(Buffer.alloc(32)).update(Buffer.from('{"a":1}')).digest('hex');
    expect(chainValue(CHAIN_GENESIS, Buffer.from('{"a":1}'))).toBe(expected);
    expect(isChainValue(expected)).toBe(true);
  });

  it('hashes a malformed previous value (a damaged header) as its decodable prefix, as the Hash-object form did', () => {
    const value = Buffer.from('{"b":2}');
    const prefixOf = (previous: string) =>
      createHash('sha256').update(Buffer.from(previous, 'hex')).update(value).digest('hex');
    const nonZero = 'ab'.repeat(32);
    for (const previous of [nonZero, 'abcd', `${'ab'.repeat(10)}zz${'ab'.repeat(21)}`, '', 'AB'.repeat(32)]) {
      expect(chainValue(previous, value)).toBe(prefixOf(previous));
    }
  });

  it('links each record of a batch to the one before, keeping the other headers', () => {
    const { records, head } = chainRecords(CHAIN_GENESIS, [record('one', { ce_id: 'x' }), record('two')]);
    const first = chainValue(CHAIN_GENESIS, Buffer.from('one'));
    expect(records[0].headers).toEqual({ ce_id: 'x', [CHAIN_HEADER]: first });
    expect(chainOf(records[1])).toBe(chainValue(first, Buffer.from('two')));
    expect(head).toBe(chainOf(records[1]));
  });

  it('continues across batches exactly as one batch would', () => {
    const whole = chainRecords(CHAIN_GENESIS, [record('a'), record('b'), record('c')]);
    const first = chainRecords(CHAIN_GENESIS, [record('a')]);
    const rest = chainRecords(first.head, [record('b'), record('c')]);
    expect(rest.head).toBe(whole.head);
  });

  it('changes when one byte of an earlier value changes', () => {
    const a = chainRecords(CHAIN_GENESIS, [record('{"instances":3}'), record('next')]);
    const b = chainRecords(CHAIN_GENESIS, [record('{"instances":5}'), record('next')]);
    expect(a.head).not.toBe(b.head);
  });

  it('reads no value from a record without the header', () => {
    expect(chainOf(record('x'))).toBeNull();
    expect(chainOf(record('x', { ce_id: 'y' }))).toBeNull();
    expect(isChainValue('zz')).toBe(false);
  });
});
