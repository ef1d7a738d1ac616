import { describe, expect, it } from '@jest/globals';
import { OsProcessProbe, parseProcStat } from './process-probe';

describe('parseProcStat', () => {
  it('reads the state and start time past a command name holding spaces and parentheses', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 1));
    fields[2] = 'S';
    fields[21] = '987654';
    const line = `4242 (we) ird (name) ${fields.slice(2).join(' ')}\n`;
    expect(parseProcStat(line)).toEqual({ state: 'S', startTicks: 987654 });
  });

  it('refuses a line it does not understand', () => {
    expect(() => parseProcStat('garbage')).toThrow();
  });
});

describe('OsProcessProbe', () => {
  const probe = new OsProcessProbe();

  it('knows this process is alive and that a different start time is another process', async () => {
    const self = await probe.self();
    expect(self.pid).toBe(process.pid);
    expect(await probe.isAlive(self)).toBe(true);
    if (self.startTicks !== null) expect(await probe.isAlive({ ...self, startTicks: self.startTicks + 1 })).toBe(false);
  });

  it('treats a pid that does not exist as dead, and a process on another host as alive', async () => {
    const self = await probe.self();
    expect(await probe.isAlive({ ...self, pid: 2 ** 22 + 1 })).toBe(false);
    expect(await probe.isAlive({ ...self, pid: 2 ** 22 + 1, hostname: `${self.hostname}-elsewhere` })).toBe(true);
  });
});
