/**
 * Wharf's own metrics in Prometheus's text exposition format: counters, histograms of seconds
 * and gauges read when scraped, each with labels. Pure bookkeeping: the parts that are measured
 * take hooks (callbacks) and the control plane's wiring records into one registry.
 */

/** Histogram buckets in seconds: 0.5 ms to 10 s. */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type Labels = Record<string, string>;

interface Family {
  help: string;
  type: 'counter' | 'histogram' | 'gauge';
  /** By the labels' text: the counter's value, or the histogram's bucket counts, sum and count. */
  series: Map<string, { labels: Labels; value: number; buckets?: number[]; sum?: number }>;
  read?: () => { labels: Labels; value: number }[];
}

const labelText = (labels: Labels): string => {
  const entries = Object.entries(labels);
  return entries.length ? `{${entries.map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',')}}` : '';
};

/** The metrics of one process. */
export class MetricsRegistry {
  private readonly families = new Map<string, Family>();

  /** Adds `by` to counter `name`. */
  count(name: string, help: string, labels: Labels = {}, by = 1): void {
    const s = this.series(name, help, 'counter', labels);
    s.value += by;
  }

  /** Records one observation of `seconds` in histogram `name`. */
  observe(name: string, help: string, seconds: number, labels: Labels = {}): void {
    const s = this.series(name, help, 'histogram', labels);
    s.buckets ??= BUCKETS.map(() => 0);
    for (const [i, le] of BUCKETS.entries()) if (seconds <= le) s.buckets[i]!++;
    s.sum = (s.sum ?? 0) + seconds;
    s.value++;
  }

  /** A gauge whose values are read when the metrics are scraped. */
  gauge(name: string, help: string, read: () => { labels: Labels; value: number }[]): void {
    this.families.set(name, { help, type: 'gauge', series: new Map(), read });
  }

  /** The exposition text. */
  render(): string {
    const out: string[] = [];
    for (const [name, f] of this.families) {
      out.push(`# HELP ${name} ${f.help}`, `# TYPE ${name} ${f.type}`);
      if (f.read) {
        for (const { labels, value } of f.read()) out.push(`${name}${labelText(labels)} ${value}`);
        continue;
      }
      for (const s of f.series.values()) {
        if (f.type === 'counter') {
          out.push(`${name}${labelText(s.labels)} ${s.value}`);
          continue;
        }
        for (const [i, le] of BUCKETS.entries()) out.push(`${name}_bucket${labelText({ ...s.labels, le: String(le) })} ${s.buckets![i]}`);
        out.push(`${name}_bucket${labelText({ ...s.labels, le: '+Inf' })} ${s.value}`);
        out.push(`${name}_sum${labelText(s.labels)} ${s.sum}`, `${name}_count${labelText(s.labels)} ${s.value}`);
      }
    }
    return `${out.join('\n')}\n`;
  }

  private series(name: string, help: string, type: 'counter' | 'histogram', labels: Labels) {
    let f = this.families.get(name);
    if (!f) this.families.set(name, (f = { help, type, series: new Map() }));
    const key = labelText(labels);
    let s = f.series.get(key);
    if (!s) f.series.set(key, (s = { labels, value: 0 }));
    return s;
  }
}
