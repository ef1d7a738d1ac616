import { parseExitStatus } from './exit-status-file';

describe('parseExitStatus', () => {
  it.each([
    ['0\n', 0],
    ['3\n', 3],
    ['143', 143],
    ['255\n', 255],
  ])('reads %j as %d', (text, want) => {
    expect(parseExitStatus(text)).toBe(want);
  });

  it.each(['', '\n', '256\n', '-1\n', 'x\n', '3\n4\n'])('refuses %j', (text) => {
    expect(parseExitStatus(text)).toBeUndefined();
  });
});
