import fc from 'fast-check';
import type { AppDefinition } from '@cairn/events';
import { CommandRejected } from '../command';
import { AppTable } from './app-table';
import { SERVICE_PORT_MAX, SERVICE_PORT_MIN, servicePortsTaken, withServicePorts } from './service-ports';

const defs = (...ports: number[]) => ports.map((port) => ({ port, protocol: 'tcp' }));
const portsOf = (definitions: { port: number }[]) => definitions.map((d) => d.port);
const app = (id: string, ...ports: number[]) => ({ id, portDefinitions: defs(...ports) }) as unknown as AppDefinition;

describe('withServicePorts', () => {
  it('gives each port 0 the lowest free service port, in order', () => {
    expect(portsOf(withServicePorts(defs(0, 0), undefined, new Set()))).toEqual([10000, 10001]);
  });

  it("skips ports other apps hold and this app's own fixed ports", () => {
    expect(portsOf(withServicePorts(defs(0, 10001, 0), undefined, new Set([10000, 10002])))).toEqual([
      10003, 10001, 10004,
    ]);
  });

  it('keeps the fields of each definition and fixed ports as given, duplicates across apps included', () => {
    expect(
      withServicePorts(
        [
          { port: 0, protocol: 'udp', name: 'dns' },
          { port: 8080, protocol: 'tcp' },
        ],
        undefined,
        new Set([8080]),
      ),
    ).toEqual([
      { port: 10000, protocol: 'udp', name: 'dns' },
      { port: 8080, protocol: 'tcp' },
    ]);
  });

  it('keeps the previous service port at the same index when that index still asks for 0', () => {
    expect(portsOf(withServicePorts(defs(0, 0), defs(10007, 10003), new Set([10000])))).toEqual([10007, 10003]);
  });

  it('does not keep a previous port another app now holds, or one outside the range', () => {
    expect(portsOf(withServicePorts(defs(0, 0), defs(10007, 8080), new Set([10007])))).toEqual([10000, 10001]);
  });

  it('does not keep a previous port the new definition gives to another index', () => {
    expect(portsOf(withServicePorts(defs(0, 10005), defs(10005, 10006), new Set()))).toEqual([10000, 10005]);
  });

  it('refuses when the range is used up', () => {
    const all = new Set(Array.from({ length: SERVICE_PORT_MAX - SERVICE_PORT_MIN }, (_, i) => SERVICE_PORT_MIN + i));
    expect(() => withServicePorts(defs(0), undefined, all)).toThrow(CommandRejected);
    expect(() => withServicePorts(defs(0), undefined, all)).toThrow(
      'All ports in the range [10000-20000) are already in use',
    );
    all.delete(SERVICE_PORT_MAX - 1);
    expect(portsOf(withServicePorts(defs(0), undefined, all))).toEqual([SERVICE_PORT_MAX - 1]);
  });

  it('has nothing to do without a port 0', () => {
    expect(portsOf(withServicePorts(defs(80, 443), undefined, new Set([80])))).toEqual([80, 443]);
  });

  it('property: assigned ports are in range, distinct, free of what others hold; fixed ports stay', () => {
    const port = fc.oneof(fc.constant(0), fc.integer({ min: SERVICE_PORT_MIN, max: SERVICE_PORT_MIN + 20 }));
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: SERVICE_PORT_MIN, max: SERVICE_PORT_MIN + 30 }), { maxLength: 25 }),
        fc.array(port, { maxLength: 8 }),
        fc.option(fc.array(fc.integer({ min: 0, max: SERVICE_PORT_MIN + 30 }), { maxLength: 8 }), { nil: undefined }),
        (others, asked, previous) => {
          // A user's fixed ports may repeat inside one body only if the edge let them: it does not.
          const fixed = asked.filter((p) => p !== 0);
          fc.pre(new Set(fixed).size === fixed.length);
          const taken = new Set(others);
          const result = portsOf(withServicePorts(defs(...asked), previous && defs(...previous), taken));
          expect(result).toHaveLength(asked.length);
          result.forEach((p, i) => {
            if (asked[i] !== 0) return expect(p).toBe(asked[i]);
            expect(p).toBeGreaterThanOrEqual(SERVICE_PORT_MIN);
            expect(p).toBeLessThan(SERVICE_PORT_MAX);
            expect(taken.has(p)).toBe(false);
          });
          expect(new Set(result).size).toBe(result.length);
          // Deterministic: the same inputs decide the same ports (replay never picks again).
          expect(portsOf(withServicePorts(defs(...asked), previous && defs(...previous), taken))).toEqual(result);
        },
      ),
    );
  });
});

describe('servicePortsTaken', () => {
  const apps = [app('/a', 10000, 0), app('/b', 8080, 10001), app('/self', 10002, 10000)];
  const candidates = [0, 8080, 10000, 10001, 10002, 10003];

  it("collects the other apps' non-zero ports", () => {
    const taken = servicePortsTaken(new Map(apps.map((a) => [a.id, a])), '/self');
    expect(candidates.filter((port) => taken.has(port))).toEqual([8080, 10000, 10001]);
  });

  it("answers the same from an app table's port counts, after changes and deletes", () => {
    const table = new AppTable(apps.map((a) => [a.id, a]));
    expect(candidates.filter((port) => servicePortsTaken(table, '/self').has(port))).toEqual([8080, 10000, 10001]);
    // /a lets 10000 go: /self still holds it, but only others' holdings count.
    table.set('/a', app('/a', 0));
    expect(candidates.filter((port) => servicePortsTaken(table, '/self').has(port))).toEqual([8080, 10001]);
    expect(candidates.filter((port) => servicePortsTaken(table, '/a').has(port))).toEqual([8080, 10000, 10001, 10002]);
    table.delete('/b');
    expect(candidates.filter((port) => servicePortsTaken(table, '/a').has(port))).toEqual([10000, 10002]);
  });
});

describe('the app table: where the search for a free service port starts', () => {
  it('gives the ports a full scan gives, through creates, updates and deletes (property)', () => {
    const op = fc.record({
      kind: fc.constantFrom('set', 'set', 'set', 'delete'),
      app: fc.integer({ min: 0, max: 7 }),
      // a port 0 (to assign), a service port near the range's start, or one outside the range
      ports: fc.array(
        fc.oneof(fc.constant(0), fc.integer({ min: SERVICE_PORT_MIN, max: SERVICE_PORT_MIN + 12 }), fc.constant(8080)),
        {
          maxLength: 3,
        },
      ),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const table = new AppTable();
        const plain = new Map<string, AppDefinition>();
        for (const o of ops) {
          const id = `/app-${o.app}`;
          if (o.kind === 'delete') {
            table.delete(id);
            plain.delete(id);
            continue;
          }
          const previous = plain.get(id)?.portDefinitions;
          const fromTable = withServicePorts(defs(...o.ports), previous, servicePortsTaken(table, id));
          const fromScan = withServicePorts(defs(...o.ports), previous, servicePortsTaken(plain, id));
          expect(portsOf(fromTable)).toEqual(portsOf(fromScan));
          table.set(id, { id, portDefinitions: fromTable } as unknown as AppDefinition);
          plain.set(id, { id, portDefinitions: fromScan } as unknown as AppDefinition);
        }
      }),
    );
  });

  it('reuses the lowest port an app let go, after thousands were taken in order', () => {
    const table = new AppTable();
    for (let i = 0; i < 3_000; i++) {
      const id = `/app-${i}`;
      table.set(id, app(id, ...portsOf(withServicePorts(defs(0), undefined, servicePortsTaken(table, id)))));
    }
    expect(table.get('/app-2999')!.portDefinitions[0].port).toBe(SERVICE_PORT_MIN + 2_999);
    table.delete('/app-1234');
    expect(portsOf(withServicePorts(defs(0), undefined, servicePortsTaken(table, '/new')))).toEqual([
      SERVICE_PORT_MIN + 1_234,
    ]);
  });
});
