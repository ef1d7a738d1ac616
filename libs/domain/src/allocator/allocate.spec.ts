import { parseResources as r } from '../resources';
import { allocate, AllocationInput } from './allocate';
import { AllocatorInputError } from './allocator-errors';
import { Sorter } from './sorter';
import { agent, filter, framework, routes } from './testing/allocator-builders';

const T0 = Date.UTC(2026, 0, 1);
const input = (parts: Partial<AllocationInput>): AllocationInput => ({
  agents: [],
  frameworks: [],
  filters: [],
  now: T0,
  ...parts,
});

describe('allocate (scenarios)', () => {
  it('offers every agent, whole, to the only framework', () => {
    const offers = allocate(
      input({
        agents: [agent('a1', 'cpus:2;mem:1024;ports:[31000-31010]'), agent('a2', 'cpus:1;mem:512')],
        frameworks: [framework('marathon', { role: 'apps' })],
      }),
    );
    expect(offers).toEqual([
      { frameworkId: 'marathon', role: 'apps', agentId: 'a1', resources: r('cpus:2;mem:1024;ports:[31000-31010]') },
      { frameworkId: 'marathon', role: 'apps', agentId: 'a2', resources: r('cpus:1;mem:512') },
    ]);
  });

  it('alternates agents between two frameworks with equal shares', () => {
    // Cluster: cpus:4;mem:2048 over two agents.
    const offers = allocate(
      input({
        agents: [agent('a2', 'cpus:2;mem:1024'), agent('a1', 'cpus:2;mem:1024')],
        frameworks: [framework('f2'), framework('f1')],
      }),
    );
    // f1 share = 0, f2 share = 0: tie, f1 first by id -> a1 (agents in id order).
    // f1 share = 0.5, f2 share = 0 -> a2 goes to f2.
    expect(routes(offers)).toEqual(['a1 -> f1', 'a2 -> f2']);
  });

  it('offers the next agent to the framework with the lowest dominant share (DRF paper example)', () => {
    // Total cpus:9;mem:18 = 1 free agent (cpus:1;mem:4) + what the frameworks hold.
    const offers = allocate(
      input({
        agents: [agent('a1', 'cpus:1;mem:4')],
        frameworks: [
          framework('fA', { allocated: 'cpus:2;mem:8' }), // fA share = max(2/9, 8/18) = 0.44 (mem)
          framework('fB', { allocated: 'cpus:6;mem:6' }), // fB share = max(6/9, 6/18) = 0.67 (cpus)
        ],
      }),
    );
    expect(routes(offers)).toEqual(['a1 -> fA']);
  });

  it('gives a framework of weight 2 twice the agents of a framework of weight 1', () => {
    // Three equal agents, total cpus:3;mem:1536; each agent is a third of the cluster.
    const offers = allocate(
      input({
        agents: [agent('a1', 'cpus:1;mem:512'), agent('a2', 'cpus:1;mem:512'), agent('a3', 'cpus:1;mem:512')],
        frameworks: [framework('heavy', { weight: 2 }), framework('light', { weight: 1 })],
      }),
    );
    // a1: heavy 0 = light 0, tie by id -> heavy; heavy share = 0.33 / 2 = 0.17.
    // a2: light 0 < heavy 0.17 -> light; light share = 0.33.
    // a3: heavy 0.17 < light 0.33 -> heavy; heavy share = 0.67 / 2 = 0.33 = light.
    expect(routes(offers)).toEqual(['a1 -> heavy', 'a2 -> light', 'a3 -> heavy']);
  });

  it('counts what a framework already holds: a busy framework waits for an idle one', () => {
    // Total cpus:4;mem:2048; f1 holds half the cluster already.
    const offers = allocate(
      input({
        agents: [agent('a1', 'cpus:1;mem:512'), agent('a2', 'cpus:1;mem:512')],
        frameworks: [framework('f1', { allocated: 'cpus:2;mem:1024' }), framework('f2')],
      }),
    );
    // a1: f2 0 < f1 0.5 -> f2 (0.25). a2: f2 0.25 < f1 0.5 -> f2 (0.5).
    expect(routes(offers)).toEqual(['a1 -> f2', 'a2 -> f2']);
  });

  describe('filters (refuse seconds)', () => {
    const refuseMs = 5_000;
    const scenario = (now: number) =>
      allocate(
        input({
          now,
          agents: [agent('a1', 'cpus:2;mem:1024')],
          frameworks: [framework('f1'), framework('f2', { allocated: 'cpus:1;mem:512' })],
          // f1 declined a1 at T0 with refuse_seconds = 5.
          filters: [filter('f1', 'a1', T0 + refuseMs)],
        }),
      );

    it('offers a filtered agent to the next framework while the filter holds', () => {
      // f1 share = 0 < f2 share = 0.33, but f1 refused a1 until T0 + 5 s.
      expect(routes(scenario(T0))).toEqual(['a1 -> f2']);
      expect(routes(scenario(T0 + refuseMs - 1))).toEqual(['a1 -> f2']);
    });

    it('offers it to the filtering framework again from `until` on', () => {
      expect(routes(scenario(T0 + refuseMs))).toEqual(['a1 -> f1']);
    });

    it('filters one agent only: the framework still gets the others', () => {
      const offers = allocate(
        input({
          agents: [agent('a1', 'cpus:1;mem:512'), agent('a2', 'cpus:1;mem:512')],
          frameworks: [framework('f1')],
          filters: [filter('f1', 'a1', T0 + refuseMs), filter('f9', 'a2', T0 + refuseMs)],
        }),
      );
      expect(routes(offers)).toEqual(['a2 -> f1']);
    });

    it('leaves an agent unoffered when every framework filtered it', () => {
      const offers = allocate(
        input({
          agents: [agent('a1', 'cpus:1;mem:512')],
          frameworks: [framework('f1'), framework('f2')],
          filters: [filter('f1', 'a1', T0 + 1), filter('f2', 'a1', T0 + 1)],
        }),
      );
      expect(offers).toEqual([]);
    });
  });

  describe('suppress and revive', () => {
    const agents = [agent('a1', 'cpus:1;mem:512'), agent('a2', 'cpus:1;mem:512')];

    it('makes no offers while every framework is suppressed (nobody needs them)', () => {
      expect(allocate(input({ agents, frameworks: [framework('f1', { suppressed: true })] }))).toEqual([]);
      expect(allocate(input({ agents, frameworks: [] }))).toEqual([]);
    });

    it('passes a suppressed framework over even when its share is lowest', () => {
      const offers = allocate(
        input({
          agents,
          frameworks: [framework('f1', { suppressed: true }), framework('f2', { allocated: 'cpus:2' })],
        }),
      );
      expect(routes(offers)).toEqual(['a1 -> f2', 'a2 -> f2']);
    });

    it('offers again once revived (suppressed: false)', () => {
      const offers = allocate(input({ agents, frameworks: [framework('f1', { suppressed: false })] }));
      expect(routes(offers)).toEqual(['a1 -> f1', 'a2 -> f1']);
    });
  });

  it('does not offer inactive agents or agents below the minimum allocatable resources', () => {
    const offers = allocate(
      input({
        agents: [
          agent('a1', 'cpus:4;mem:4096', { active: false }), // disconnected or draining
          agent('a2', 'cpus:0.009;mem:31;disk:100;ports:[31000-32000]'), // crumbs: < 0.01 cpus and < 32 MB
          agent('a3', 'cpus:0.01'), // enough cpu
          agent('a4', 'mem:32'), // enough memory
          agent('a5', ''), // nothing free
        ],
        frameworks: [framework('f1')],
      }),
    );
    expect(routes(offers)).toEqual(['a3 -> f1', 'a4 -> f1']);
  });

  it('is deterministic: the same input in another order gives the same offers', () => {
    const agents = ['a3', 'a1', 'a4', 'a2'].map((id) => agent(id, 'cpus:1;mem:256'));
    const frameworks = [framework('f3'), framework('f1'), framework('f2')];
    const one = allocate(input({ agents, frameworks }));
    const other = allocate(input({ agents: [...agents].reverse(), frameworks: [...frameworks].reverse() }));
    expect(other).toEqual(one);
    expect(routes(one)).toEqual(['a1 -> f1', 'a2 -> f2', 'a3 -> f3', 'a4 -> f1']);
  });

  it('divides by the cluster total given, when some resources belong to no listed framework', () => {
    const agents = [agent('a1', 'cpus:1;mem:1000')];
    const frameworks = [framework('f1', { allocated: 'cpus:2' }), framework('f2', { allocated: 'mem:300' })];
    // Derived total = free + allocated = cpus:3;mem:1300: f1 share = 0.67 (cpus), f2 share = 0.23 (mem).
    expect(routes(allocate(input({ agents, frameworks })))).toEqual(['a1 -> f2']);
    // An old framework's tasks hold 17 more cpus: total cpus:20;mem:1300, f1 share = 0.1 < f2 share = 0.23.
    expect(routes(allocate(input({ agents, frameworks, clusterTotal: r('cpus:20;mem:1300') })))).toEqual(['a1 -> f1']);
  });

  it('asks the sorter given for the order', () => {
    const reverse = (): Sorter => {
      const ids: string[] = [];
      return {
        add: (id) => void ids.push(id),
        allocated: () => undefined,
        share: () => 0,
        sort: () => [...ids].sort().reverse(),
      };
    };
    const offers = allocate(
      input({ agents: [agent('a1', 'cpus:1')], frameworks: [framework('f1'), framework('f2')], sorter: reverse }),
    );
    expect(routes(offers)).toEqual(['a1 -> f2']);
  });

  it('does not change its input', () => {
    const frameworks = [framework('f1', { allocated: 'cpus:1' })];
    const agents = [agent('a1', 'cpus:1;mem:512')];
    const before = JSON.stringify({ frameworks, agents });
    allocate(input({ agents, frameworks }));
    expect(JSON.stringify({ frameworks, agents })).toBe(before);
  });

  it('refuses two agents or two frameworks with one id', () => {
    expect(() =>
      allocate(input({ agents: [agent('a1', 'cpus:1'), agent('a1', 'cpus:2')], frameworks: [framework('f')] })),
    ).toThrow(AllocatorInputError);
    expect(() => allocate(input({ frameworks: [framework('f1'), framework('f1')] }))).toThrow(
      'invalid allocator input: frameworks[].frameworkId = "f1": listed twice',
    );
  });
});
