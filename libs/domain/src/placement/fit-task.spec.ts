import { EMPTY_RESOURCES, parseResources as r } from '../resources';
import { fitTask, FitResult } from './fit-task';
import { PlacementInputError } from './placement-errors';
import { PlacementOffer, TaskDemand } from './task-demand';

const task = (parts: Partial<TaskDemand>): TaskDemand => ({ cpus: 0, mem: 0, disk: 0, portCount: 0, ...parts });
const offer = (resources: string, capabilities?: string[]): PlacementOffer => ({
  resources: r(resources),
  capabilities,
});

describe('fitTask', () => {
  const cases: { name: string; demand: TaskDemand; offer: PlacementOffer; want: FitResult }[] = [
    {
      name: 'equal edge case fits',
      demand: task({ cpus: 2, mem: 1024, disk: 10, portCount: 2 }),
      offer: offer('cpus:2;mem:1024;disk:10;ports:[31000-31001]'),
      want: { fits: true, ports: [31000, 31001], resources: r('cpus:2;mem:1024;disk:10;ports:[31000-31001]') },
    },
    {
      name: 'fractional cpus that sum in floating point still fit',
      demand: task({ cpus: 0.3, mem: 32 }),
      offer: { resources: { ...EMPTY_RESOURCES, cpus: 0.1 + 0.2, mem: 32 } },
      want: { fits: true, ports: [], resources: r('cpus:0.3;mem:32') },
    },
    {
      name: 'a task without ports fits an offer without ports',
      demand: task({ cpus: 0.5, mem: 64 }),
      offer: offer('cpus:1;mem:128'),
      want: { fits: true, ports: [], resources: r('cpus:0.5;mem:64') },
    },
    {
      name: 'half a cpu short reports InsufficientCpus with its numbers',
      demand: task({ cpus: 2 }),
      offer: offer('cpus:1.5;mem:4096'),
      want: { fits: false, reasons: [{ reason: 'InsufficientCpus', requested: 2, available: 1.5 }] },
    },
    {
      name: 'one MB short reports InsufficientMemory',
      demand: task({ mem: 1025 }),
      offer: offer('cpus:4;mem:1024'),
      want: { fits: false, reasons: [{ reason: 'InsufficientMemory', requested: 1025, available: 1024 }] },
    },
    {
      name: 'every shortage is reported, not only the first',
      demand: task({ cpus: 2, mem: 2048, disk: 100, portCount: 3, containerType: 'DOCKER' }),
      offer: offer('cpus:0.5;mem:512;ports:[31000-31001]'),
      want: {
        fits: false,
        reasons: [
          { reason: 'UnsupportedContainer', requested: 'DOCKER', available: ['MESOS'] },
          { reason: 'InsufficientCpus', requested: 2, available: 0.5 },
          { reason: 'InsufficientMemory', requested: 2048, available: 512 },
          { reason: 'InsufficientDisk', requested: 100, available: 0 },
          { reason: 'InsufficientPorts', requested: 3, available: 2, unavailablePorts: [] },
        ],
      },
    },
    {
      name: 'dynamic ports are the lowest free ones, across ranges',
      demand: task({ portCount: 3 }),
      offer: offer('ports:[31010-31020,31000-31001]'),
      want: { fits: true, ports: [31000, 31001, 31010], resources: r('ports:[31000-31001,31010-31010]') },
    },
    {
      name: 'required ports are given exactly, in portDefinition order',
      demand: task({ portCount: 2, requiredPorts: [8080, 80] }),
      offer: offer('ports:[80-80,8000-9000]'),
      want: { fits: true, ports: [8080, 80], resources: r('ports:[80-80,8080-8080]') },
    },
    {
      name: 'a required 0 is assigned dynamically, around the fixed ports',
      demand: task({ portCount: 3, requiredPorts: [0, 31000, 0] }),
      offer: offer('ports:[31000-31005]'),
      want: { fits: true, ports: [31001, 31000, 31002], resources: r('ports:[31000-31002]') },
    },
    {
      name: 'a required port outside the offer does not fit and is named',
      demand: task({ portCount: 2, requiredPorts: [8080, 9090] }),
      offer: offer('ports:[8000-9000]'),
      want: {
        fits: false,
        reasons: [{ reason: 'InsufficientPorts', requested: 2, available: 1001, unavailablePorts: [9090] }],
      },
    },
    {
      name: 'a port required twice does not fit',
      demand: task({ portCount: 2, requiredPorts: [8080, 8080] }),
      offer: offer('ports:[8000-9000]'),
      want: {
        fits: false,
        reasons: [{ reason: 'InsufficientPorts', requested: 2, available: 1001, unavailablePorts: [8080] }],
      },
    },
    {
      name: 'required ports that fit leave too few for the dynamic ones',
      demand: task({ portCount: 2, requiredPorts: [31000, 0] }),
      offer: offer('ports:[31000-31000]'),
      want: {
        fits: false,
        reasons: [{ reason: 'InsufficientPorts', requested: 2, available: 1, unavailablePorts: [] }],
      },
    },
    {
      name: 'a docker task fits an agent that runs docker',
      demand: task({ cpus: 1, containerType: 'DOCKER' }),
      offer: offer('cpus:1', ['MESOS', 'DOCKER']),
      want: { fits: true, ports: [], resources: r('cpus:1') },
    },
    {
      name: 'a command task does not fit an agent that only runs docker',
      demand: task({ cpus: 1 }),
      offer: offer('cpus:1', ['DOCKER']),
      want: { fits: false, reasons: [{ reason: 'UnsupportedContainer', requested: 'MESOS', available: ['DOCKER'] }] },
    },
    {
      name: 'an empty task fits an empty offer',
      demand: task({}),
      offer: offer(''),
      want: { fits: true, ports: [], resources: EMPTY_RESOURCES },
    },
  ];

  it.each(cases)('$name', ({ demand, offer, want }) => {
    expect(fitTask(demand, offer)).toEqual(want);
  });

  it.each<[string, TaskDemand]>([
    ['negative cpus', task({ cpus: -1 })],
    ['NaN memory', task({ mem: NaN })],
    ['a fractional port count', task({ portCount: 1.5 })],
    ['required ports that disagree with the port count', task({ portCount: 1, requiredPorts: [80, 81] })],
    ['a required port above 65535', task({ portCount: 1, requiredPorts: [70_000] })],
  ])('refuses a demand with %s', (_name, demand) => {
    expect(() => fitTask(demand, offer('cpus:1'))).toThrow(PlacementInputError);
  });
});
