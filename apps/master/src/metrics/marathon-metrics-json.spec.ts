import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { marathonMetricsJson } from './marathon-metrics-json';

describe('marathonMetricsJson', () => {
  it("renders a Prometheus registry in Marathon's Dropwizard shape", async () => {
    const registry = new Registry();
    const registers = [registry];
    new Counter({ name: 'c_total', help: 'c', labelNames: ['state'], registers }).inc({ state: 'TASK_RUNNING' }, 3);
    new Gauge({ name: 'g', help: 'g', registers }).set(7);
    const h = new Histogram({ name: 'h_seconds', help: 'h', buckets: [0.1, 1, 10], registers });
    for (const v of [0.05, 0.05, 0.5, 5]) h.observe(v);
    const json = marathonMetricsJson(await registry.getMetricsAsJSON());
    expect(json.version).toBe('4.0.0');
    expect(json.counters).toEqual({ 'c_total{state="TASK_RUNNING"}': { count: 3 } });
    expect(json.gauges).toEqual({ g: { value: 7 } });
    expect(json.histograms.h_seconds).toEqual({
      count: 4,
      mean: 1.4,
      p50: 0.1,
      p75: 1,
      p95: 10,
      p98: 10,
      p99: 10,
      p999: 10,
    });
    expect(json.meters).toEqual({});
    expect(json.timers).toEqual({});
  });

  it('gives zeros for an empty histogram and the largest bound for values past every bucket', async () => {
    const registry = new Registry();
    new Histogram({ name: 'empty', help: 'e', buckets: [1], registers: [registry] });
    const past = new Histogram({ name: 'past', help: 'p', buckets: [1, 2], registers: [registry] });
    past.observe(100);
    const json = marathonMetricsJson(await registry.getMetricsAsJSON());
    expect(json.histograms.empty).toMatchObject({ count: 0, mean: 0, p99: 0 });
    expect(json.histograms.past).toMatchObject({ count: 1, mean: 100, p50: 2, p99: 2 });
  });
});
