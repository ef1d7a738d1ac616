import { PassThrough } from 'node:stream';
import { ProgressBar, PROGRESS_DELAY_MS, renderProgress } from './progress-bar';

function terminal(isTTY: boolean) {
  const stream = Object.assign(new PassThrough(), { isTTY });
  const written: string[] = [];
  stream.on('data', (chunk: Buffer) => written.push(chunk.toString()));
  return { stream, written };
}

describe('ProgressBar', () => {
  it('renders the fraction done as a bar and a percentage', () => {
    expect(renderProgress('fold', 3000, 10000)).toBe(`fold [#########${'.'.repeat(21)}]  30% 3000/10000`);
    expect(renderProgress('fold', 0, 0)).toContain('100%');
  });

  it('draws nothing during the first second, then redraws in place and clears the line at the end', async () => {
    let now = 0;
    const { stream, written } = terminal(true);
    const bar = new ProgressBar(stream, () => now);
    bar.update('fold', 1, 10);
    now = PROGRESS_DELAY_MS;
    bar.update('fold', 5, 10);
    now += 10;
    bar.update('fold', 6, 10); // too soon after the last draw
    bar.finish();
    await new Promise((resolve) => setImmediate(resolve));
    expect(written).toEqual([`\r${renderProgress('fold', 5, 10)}\x1b[K`, '\r\x1b[K']);
  });

  it('never draws when stderr is not a terminal', async () => {
    let now = 0;
    const { stream, written } = terminal(false);
    const bar = new ProgressBar(stream, () => now);
    now = 10 * PROGRESS_DELAY_MS;
    bar.update('fold', 5, 10);
    bar.finish();
    await new Promise((resolve) => setImmediate(resolve));
    expect(written).toEqual([]);
  });
});
