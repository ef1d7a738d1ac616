import { catalogue, eventTypes } from './catalogue';
import { EventEnvelope } from './envelope';
import { upcasters, upcastTo } from './upcast';

const envelope = (type: string, v: number, data: unknown): EventEnvelope => ({
  id: '6b0f7c3e-2d41-4a8e-9f35-1c7a2e9b4d60',
  type,
  v,
  at: '2025-11-03T09:15:42.120Z',
  actor: 'ops',
  correlationId: 'c',
  causationId: null,
  data,
});

describe('upcastTo', () => {
  it('lifts AppScaled v1 to v2, filling lastScalingAt from the envelope time', () => {
    const up = upcastTo(envelope('AppScaled', 1, { appId: '/a', instances: 2 }), 2);
    expect(up).toEqual(
      envelope('AppScaled', 2, { appId: '/a', instances: 2, lastScalingAt: '2025-11-03T09:15:42.120Z' }),
    );
  });

  it('leaves an event at the target version as it is', () => {
    const current = envelope('AppScaled', 2, { appId: '/a', instances: 2, lastScalingAt: '2025-11-03T09:15:42.120Z' });
    expect(upcastTo(current, 2)).toBe(current);
  });

  it('fails when a step is missing', () => {
    expect(() => upcastTo(envelope('AppCreated', 1, {}), 2)).toThrow('no upcaster for AppCreated v1 -> v2');
  });

  it('every older version in the catalogue has a chain of upcasters to the current one', () => {
    const missing = eventTypes.flatMap((type) =>
      Object.keys(catalogue[type].versions)
        .map(Number)
        .filter((v) => v < catalogue[type].current && !upcasters.some((u) => u.type === type && u.from === v))
        .map((v) => `${type} v${v}`),
    );
    expect(missing).toEqual([]);
  });
});
