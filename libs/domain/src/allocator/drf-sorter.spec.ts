import { parseResources as r } from '../resources';
import { AllocatorInputError } from './allocator-errors';
import { dominantShare, DrfSorter } from './drf-sorter';

describe('DRF sorter', () => {
  // The example of the DRF paper: 9 cpus, 18 GB; A's tasks are <1 cpu, 4 GB>, B's <3 cpus, 1 GB>.
  const total = r('cpus:9;mem:18');

  it('takes the largest of the per-resource shares as the dominant share', () => {
    expect(dominantShare(r('cpus:1;mem:4'), total)).toBeCloseTo(4 / 18); // A: mem-dominant
    expect(dominantShare(r('cpus:3;mem:1'), total)).toBeCloseTo(3 / 9); // B: cpu-dominant
  });

  it('leaves out resources the cluster has none of, and ports', () => {
    expect(dominantShare(r('cpus:1;disk:5;ports:[1-100]'), r('cpus:4;ports:[1-100]'))).toBe(0.25);
    expect(dominantShare(r('cpus:1'), r(''))).toBe(0);
  });

  it('puts the lowest share first and re-sorts as allocations grow', () => {
    const sorter = new DrfSorter(total);
    sorter.add('A', 1, r('cpus:1;mem:4')); // A share = 0.22
    sorter.add('B', 1, r('cpus:3;mem:1')); // B share = 0.33
    expect(sorter.sort()).toEqual(['A', 'B']);
    sorter.allocated('A', r('cpus:1;mem:4')); // A share = 8/18 = 0.44
    expect(sorter.sort()).toEqual(['B', 'A']);
  });

  it('divides by weight', () => {
    const sorter = new DrfSorter(r('cpus:10'));
    sorter.add('heavy', 2, r('cpus:4')); // 0.4 / 2 = 0.2
    sorter.add('light', 1, r('cpus:3')); // 0.3 / 1 = 0.3
    expect(sorter.share('heavy')).toBeCloseTo(0.2);
    expect(sorter.sort()).toEqual(['heavy', 'light']);
  });

  it('breaks ties by client id, not by insertion order', () => {
    const sorter = new DrfSorter(total);
    sorter.add('f2', 1, r(''));
    sorter.add('f10', 1, r(''));
    sorter.add('f1', 1, r(''));
    expect(sorter.sort()).toEqual(['f1', 'f10', 'f2']);
  });

  it.each([
    ['a zero weight', 0],
    ['a negative weight', -1],
    ['a NaN weight', NaN],
  ])('refuses %s', (_name, weight) => {
    expect(() => new DrfSorter(total).add('f1', weight, r(''))).toThrow(AllocatorInputError);
  });

  it('refuses a client added twice or unknown', () => {
    const sorter = new DrfSorter(total);
    sorter.add('f1', 1, r(''));
    expect(() => sorter.add('f1', 1, r(''))).toThrow(AllocatorInputError);
    expect(() => sorter.allocated('f9', r('cpus:1'))).toThrow(AllocatorInputError);
  });
});
