import { BatchChannel } from './batch-channel';

describe('BatchChannel', () => {
  it('delivers items in order, then finishes after end()', async () => {
    const channel = new BatchChannel<number>(4);
    channel.offer(1);
    channel.offer(2);
    channel.end();
    expect(await channel.take()).toEqual({ done: false, value: 1 });
    expect(await channel.take()).toEqual({ done: false, value: 2 });
    expect(await channel.take()).toEqual({ done: true, value: undefined });
  });

  it('refuses an item when full and makes room when one is taken', async () => {
    const channel = new BatchChannel<number>(1);
    expect(channel.offer(1)).toBe(true);
    expect(channel.offer(2)).toBe(false);
    let spaced = false;
    const space = channel.waitForSpace().then(() => (spaced = true));
    await Promise.resolve();
    expect(spaced).toBe(false);
    await channel.take();
    await space;
    expect(channel.offer(2)).toBe(true);
  });

  it('wakes a waiting taker when an item arrives', async () => {
    const channel = new BatchChannel<string>(2);
    const taken = channel.take();
    channel.offer('x');
    expect(await taken).toEqual({ done: false, value: 'x' });
  });

  it('drains queued items before throwing the failure', async () => {
    const channel = new BatchChannel<number>(2);
    channel.offer(1);
    channel.fail(new Error('broker gone'));
    expect(await channel.take()).toEqual({ done: false, value: 1 });
    await expect(channel.take()).rejects.toThrow('broker gone');
  });

  it('drops everything and releases pushers on close()', async () => {
    const channel = new BatchChannel<number>(1);
    channel.offer(1);
    const space = channel.waitForSpace();
    channel.close();
    await space;
    expect(channel.offer(2)).toBe(true); // accepted and dropped: the puller is gone
    expect(await channel.take()).toEqual({ done: true, value: undefined });
  });
});
