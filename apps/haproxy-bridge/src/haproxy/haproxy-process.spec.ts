import { parseShowProc } from './haproxy-process';

describe('parseShowProc', () => {
  it('reads the reload count, failures and current workers (HAProxy 2.6)', () => {
    const text = [
      '#<PID>          <type>          <reloads>       <uptime>        <version>      ',
      '6578            master          10 [failed: 1]  0d00h20m14s     2.6.12-1+deb12u4',
      '# workers',
      '7415            worker          0               0d00h20m07s     2.6.12-1+deb12u4',
      '# old workers',
      '7327            worker          1               0d00h20m09s     2.6.12-1+deb12u4',
      '# programs',
      '',
    ].join('\n');
    expect(parseShowProc(text)).toEqual({ reloads: 10, failed: 1, workers: [7415] });
  });

  it('refuses an answer without a master line', () => {
    expect(() => parseShowProc('Unknown command\n')).toThrow(/unexpected 'show proc' answer/);
  });
});
