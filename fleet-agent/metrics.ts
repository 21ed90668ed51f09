// Prometheus text exposition without a client library: a handful of counters, gauges and
// histograms, cheap enough to update on every request. Labels are fixed small sets, so series
// are kept in plain maps keyed by the rendered label string.

type Labels = Record<string, string>;
const renderLabels = (labels: Labels): string => {
  const keys = Object.keys(labels);
  return keys.length === 0 ? '' : `{${keys.map((k) => `${k}="${labels[k].replace(/["\\\n]/g, '_')}"`).join(',')}}`;
};

class Counter {
  private series = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: Labels = {}, by = 1): void {
    const k = renderLabels(labels);
    this.series.set(k, (this.series.get(k) ?? 0) + by);
  }
  get(labels: Labels = {}): number {
    return this.series.get(renderLabels(labels)) ?? 0;
  }
  render(): string {
    return header(this.name, this.help, 'counter') + [...this.series].map(([k, v]) => `${this.name}${k} ${v}\n`).join('');
  }
}

class Histogram {
  private series = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: number[],
  ) {}
  observe(value: number, labels: Labels = {}): void {
    const k = renderLabels(labels);
    let s = this.series.get(k);
    if (!s) {
      s = { counts: new Array(this.buckets.length).fill(0), sum: 0, count: 0 };
      this.series.set(k, s);
    }
    for (let i = 0; i < this.buckets.length; i++)
      if (value <= this.buckets[i]) {
        s.counts[i]++;
        break;
      }
    s.sum += value;
    s.count++;
  }
  render(): string {
    let out = header(this.name, this.help, 'histogram');
    for (const [k, s] of this.series) {
      const base = k ? `${k.slice(1, -1)},` : '';
      let cumulative = 0;
      this.buckets.forEach((b, i) => {
        cumulative += s.counts[i];
        out += `${this.name}_bucket{${base}le="${b}"} ${cumulative}\n`;
      });
      out += `${this.name}_bucket{${base}le="+Inf"} ${s.count}\n${this.name}_sum${k} ${s.sum}\n${this.name}_count${k} ${s.count}\n`;
    }
    return out;
  }
}

const header = (name: string, help: string, type: string) => `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`;

/** Output tokens per second over a sliding window of whole seconds (for the registry). */
class TokenRate {
  private buckets = new Map<number, number>();
  constructor(
    private readonly windowSeconds = 10,
    private readonly now: () => number = Date.now,
  ) {}
  add(tokens: number): void {
    const second = Math.floor(this.now() / 1000);
    this.buckets.set(second, (this.buckets.get(second) ?? 0) + tokens);
  }
  perSecond(): number {
    const current = Math.floor(this.now() / 1000);
    let total = 0;
    for (const [second, n] of this.buckets) {
      if (second <= current - this.windowSeconds) this.buckets.delete(second);
      else total += n;
    }
    return Math.round((total / this.windowSeconds) * 10) / 10;
  }
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export class AgentMetrics {
  readonly requests = new Counter('gpuarb_agent_requests_total', 'Requests answered, by route and HTTP status.');
  readonly tokens = new Counter('gpuarb_agent_tokens_total', 'Tokens processed, by kind (prompt|completion).');
  readonly evictions = new Counter('gpuarb_agent_evictions_total', 'Spot eviction (Preempt) notices received.');
  readonly cancelled = new Counter('gpuarb_agent_cancelled_total', 'Generations cancelled because the client went away.');
  readonly latency = new Histogram('gpuarb_agent_request_duration_seconds', 'Request duration, by route.', LATENCY_BUCKETS);
  readonly ttft = new Histogram('gpuarb_agent_time_to_first_token_seconds', 'Time to the first generated token.', LATENCY_BUCKETS);
  readonly tokenRate = new TokenRate();
  inFlight = 0;

  /** Renders everything; live values (queue, state…) come from the caller at scrape time. */
  render(live: { state: string; queue: number; running: number; cacheUsage: number | null; registryUp: boolean }): string {
    const gauge = (name: string, help: string, lines: string) => header(name, help, 'gauge') + lines;
    const states = ['starting', 'ready', 'draining'];
    return [
      this.requests.render(),
      this.tokens.render(),
      this.evictions.render(),
      this.cancelled.render(),
      this.latency.render(),
      this.ttft.render(),
      gauge('gpuarb_agent_in_flight', 'Requests being answered now.', `gpuarb_agent_in_flight ${this.inFlight}\n`),
      gauge('gpuarb_agent_queue', 'Requests waiting in the engine queue.', `gpuarb_agent_queue ${live.queue}\n`),
      gauge('gpuarb_agent_engine_running', 'Sequences the engine is decoding.', `gpuarb_agent_engine_running ${live.running}\n`),
      live.cacheUsage === null
        ? ''
        : gauge('gpuarb_agent_kv_cache_usage', 'KV-cache use, 0..1.', `gpuarb_agent_kv_cache_usage ${live.cacheUsage}\n`),
      gauge(
        'gpuarb_agent_state',
        'Replica state (1 for the current one).',
        states.map((s) => `gpuarb_agent_state{state="${s}"} ${s === live.state ? 1 : 0}\n`).join(''),
      ),
      gauge(
        'gpuarb_agent_tokens_per_second',
        'Output tokens per second over 10 s.',
        `gpuarb_agent_tokens_per_second ${this.tokenRate.perSecond()}\n`,
      ),
      gauge(
        'gpuarb_agent_registry_up',
        '1 when the last registry write succeeded.',
        `gpuarb_agent_registry_up ${live.registryUp ? 1 : 0}\n`,
      ),
    ].join('');
  }
}
