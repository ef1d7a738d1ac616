import { firstValue } from './query-value';
import { parseBoolean } from './request-origin';

describe('query values', () => {
  it('takes the first of a repeated parameter, as JAX-RS does (a repeated flag was a 500)', () => {
    expect(firstValue(['true', 'false'])).toBe('true');
    expect(firstValue('x')).toBe('x');
    expect(firstValue(undefined)).toBeUndefined();
    expect(firstValue([])).toBeUndefined();
    expect(parseBoolean(['False', 'true'], true)).toBe(false);
    expect(parseBoolean(['', 'true'], true)).toBe(true);
    expect(parseBoolean('True', false)).toBe(true);
  });
});
