import fc from 'fast-check';
import { PortRange } from '../port-ranges';
import { Resources } from '../resources';

/**
 * fast-check arbitraries for resources, shared by the resources, allocator and placement
 * properties. Scalars are drawn as whole thousandths (what fixed point can hold) and, separately,
 * as arbitrary doubles where a property is about rounding.
 */
export const milliScalar = (max: number): fc.Arbitrary<number> =>
  fc.integer({ min: 0, max: max * 1000 }).map((milli) => milli / 1000);

/** A few port ranges in a narrow window, so that generated sets overlap and touch often. */
export const portRanges = (
  options: { base?: number; span?: number; maxRanges?: number } = {},
): fc.Arbitrary<PortRange[]> => {
  const base = options.base ?? 31_000;
  const span = options.span ?? 60;
  return fc.array(
    fc
      .tuple(fc.integer({ min: 0, max: span }), fc.integer({ min: 0, max: 8 }))
      .map(([offset, length]): PortRange => [base + offset, Math.min(base + span, base + offset + length)]),
    { maxLength: options.maxRanges ?? 4 },
  );
};

export const anyResources = (max: { cpus?: number; mem?: number; disk?: number } = {}): fc.Arbitrary<Resources> =>
  fc.record({
    cpus: milliScalar(max.cpus ?? 16),
    mem: milliScalar(max.mem ?? 16_384),
    disk: milliScalar(max.disk ?? 10_000),
    ports: portRanges(),
  });
