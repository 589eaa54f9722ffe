// A Prometheus histogram whose observations cost no allocation. prom-client's own Histogram
// builds a label object and a hash string on every observe(), even through labels() children;
// on the refresh path, which a benchmark holds against a bare Fastify route, that shows. Here the
// caller resolves a Series once per label set (and keeps it), and observing is a few additions.
// The registry reads it through the same get() shape prom-client's metrics have.

export interface Series {
  readonly labels: Readonly<Record<string, string>>;
  count: number;
  sum: number;
  /** Observations per bucket, not cumulative; the last slot is above every bound (+Inf). */
  readonly buckets: Float64Array;
}

// prom-client's typings declare MetricType as a numeric enum; at run time it is these strings.
type MetricType = 'counter' | 'histogram';

interface MetricValue {
  readonly value: number;
  readonly labels: Record<string, string | number>;
  readonly metricName?: string;
}

interface MetricSnapshot {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly values: MetricValue[];
  readonly aggregator: 'sum';
}

/** What Registry.registerMetric() needs of a metric. */
export interface CustomMetric {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  get(): Promise<MetricSnapshot>;
  reset(): void;
}

export class SeriesHistogram implements CustomMetric {
  readonly type: MetricType = 'histogram';
  private readonly all: Series[] = [];

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[],
  ) {}

  /** A new series for a label set; call once per label set and keep it. */
  series(labels: Record<string, string>): Series {
    const series = { labels, count: 0, sum: 0, buckets: new Float64Array(this.bounds.length + 1) };
    this.all.push(series);
    return series;
  }

  observe(series: Series, value: number): void {
    series.count += 1;
    series.sum += value;
    let i = 0;
    while (i < this.bounds.length && value > this.bounds[i]!) i += 1;
    series.buckets[i]! += 1;
  }

  async get(): Promise<MetricSnapshot> {
    const values: MetricValue[] = [];
    for (const series of this.all) {
      let cumulative = 0;
      this.bounds.forEach((bound, i) => {
        cumulative += series.buckets[i]!;
        values.push({ metricName: `${this.name}_bucket`, labels: { ...series.labels, le: bound }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { ...series.labels, le: '+Inf' }, value: series.count });
      values.push({ metricName: `${this.name}_sum`, labels: { ...series.labels }, value: series.sum });
      values.push({ metricName: `${this.name}_count`, labels: { ...series.labels }, value: series.count });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: 'sum' };
  }

  /** The number of observations of each series, as a counter of its own name. */
  countsAsCounter(name: string, help: string): CustomMetric {
    const type: MetricType = 'counter';
    return {
      name,
      help,
      type,
      get: async () => ({
        name,
        help,
        type,
        values: this.all.map((s) => ({ labels: { ...s.labels }, value: s.count })),
        aggregator: 'sum',
      }),
      reset: () => this.reset(),
    };
  }

  reset(): void {
    for (const series of this.all) {
      series.count = 0;
      series.sum = 0;
      series.buckets.fill(0);
    }
  }
}
