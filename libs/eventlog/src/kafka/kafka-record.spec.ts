import type { KafkaMessage } from 'kafkajs';
import { splitIntoSends, toKafkaMessage, toLogRecord } from './kafka-record';

const message = (over: Partial<KafkaMessage>): KafkaMessage =>
  ({
    offset: '7',
    key: Buffer.from('app/web'),
    value: Buffer.from('{}'),
    timestamp: '0',
    attributes: 0,
    size: 0,
    headers: {},
    ...over,
  }) as unknown as KafkaMessage;

describe('toLogRecord', () => {
  it('decodes key, value, offset and string headers', () => {
    const record = toLogRecord(message({ headers: { ce_type: Buffer.from('AppCreated'), ce_id: Buffer.from('1') } }));
    expect(record).toEqual({
      offset: 7,
      key: 'app/web',
      value: Buffer.from('{}'),
      headers: { ce_type: 'AppCreated', ce_id: '1' },
    });
  });

  it('has no headers property when the message had none', () => {
    expect('headers' in toLogRecord(message({ headers: {} }))).toBe(false);
    expect('headers' in toLogRecord(message({ headers: undefined }))).toBe(false);
  });

  it("reads a foreign record's missing key as '' and null value as empty", () => {
    const record = toLogRecord(message({ key: null, value: null }));
    expect(record.key).toBe('');
    expect(record.value).toEqual(Buffer.alloc(0));
  });

  it('keeps the last value of a repeated header', () => {
    expect(toLogRecord(message({ headers: { h: [Buffer.from('a'), Buffer.from('b')] } })).headers).toEqual({ h: 'b' });
  });
});

describe('toKafkaMessage', () => {
  it('copies key, value and headers', () => {
    expect(toKafkaMessage({ key: 'k', value: Buffer.from('v'), headers: { a: '1' } })).toEqual({
      key: 'k',
      value: Buffer.from('v'),
      headers: { a: '1' },
    });
  });
});

describe('splitIntoSends', () => {
  const record = (bytes: number) => ({ key: 'k', value: Buffer.alloc(bytes) });

  it('keeps a small append in one send', () => {
    expect(splitIntoSends([record(10), record(10)], 1024, 100)).toHaveLength(1);
  });

  it('splits by bytes, in order, never leaving a send empty', () => {
    const records = [record(600), record(600), record(2000), record(10)];
    const sends = splitIntoSends(records, 1024, 100);
    expect(sends.map((s) => s.length)).toEqual([1, 1, 1, 1]);
    expect(sends.flat()).toEqual(records);
  });

  it('splits by record count', () => {
    const sends = splitIntoSends(
      Array.from({ length: 5 }, () => record(1)),
      1 << 20,
      2,
    );
    expect(sends.map((s) => s.length)).toEqual([2, 2, 1]);
  });

  it('returns no sends for no records', () => {
    expect(splitIntoSends([], 1024, 10)).toEqual([]);
  });
});
