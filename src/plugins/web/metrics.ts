import type { BotEvents } from '../../bot/events.js'

/** What the metrics read from the bot: its events, and its state at each scrape. */
export interface MetricsSource {
  on<E extends keyof BotEvents>(event: E, listener: (info: BotEvents[E]) => unknown): unknown
  readonly online: boolean
  readonly queues: { readonly outbox: number; readonly writes: number }
  /** The processes of the formation taking work now. */
  formationMembers(): number
}

/** Stanza names counted by their own label; anything else a server sends is `other`, so the label set stays small. */
const STANZA_NAMES = new Set(['message', 'presence', 'iq'])

/** Handler durations, in seconds: from a quick reply to a slow command. */
const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

/** Counts by a key of label values; plain numbers on the hot path, handed to prom-client at each scrape. */
class Tally<L extends string> {
  readonly #counts = new Map<string, { labels: Record<L, string>; value: number }>()

  add(key: string, labels: () => Record<L, string>): void {
    const entry = this.#counts.get(key)
    if (entry) entry.value += 1
    else this.#counts.set(key, { labels: labels(), value: 1 })
  }

  entries(): IterableIterator<{ labels: Record<L, string>; value: number }> {
    return this.#counts.values()
  }
}

/** Handler durations per kind, in {@link DURATION_BUCKETS}: one array slot and a sum per observation. */
class Durations {
  readonly #byKind = new Map<string, { buckets: number[]; sum: number; count: number }>()

  observe(kind: string, seconds: number): void {
    let entry = this.#byKind.get(kind)
    if (!entry) this.#byKind.set(kind, (entry = { buckets: DURATION_BUCKETS.map(() => 0), sum: 0, count: 0 }))
    const slot = DURATION_BUCKETS.findIndex((bound) => seconds <= bound)
    if (slot !== -1) entry.buckets[slot] = (entry.buckets[slot] as number) + 1
    entry.sum += seconds
    entry.count += 1
  }

  /** The histogram's series as prom-client renders them: cumulative buckets, `+Inf`, sum and count per kind. */
  values(name: string): Array<{ metricName: string; labels: Record<string, string | number>; value: number }> {
    const values: Array<{ metricName: string; labels: Record<string, string | number>; value: number }> = []
    for (const [kind, { buckets, sum, count }] of this.#byKind) {
      let cumulative = 0
      DURATION_BUCKETS.forEach((bound, i) => {
        cumulative += buckets[i] as number
        values.push({ metricName: `${name}_bucket`, labels: { le: bound, kind }, value: cumulative })
      })
      values.push({ metricName: `${name}_bucket`, labels: { le: '+Inf', kind }, value: count })
      values.push({ metricName: `${name}_sum`, labels: { kind }, value: sum })
      values.push({ metricName: `${name}_count`, labels: { kind }, value: count })
    }
    return values
  }
}

/**
 * The bot's metrics in Prometheus's text format, on a registry of their own: stanzas in and out,
 * handler durations and failures, sessions (new and resumed), reconnect attempts, what waits to go
 * out, formation members, HTTP requests by route and status, and the process's CPU and memory.
 * The bot's events are counted in plain numbers and handed to prom-client only when scraped, and
 * nothing runs between scrapes (prom-client's default metrics would sample the event loop 100 times a
 * second): a bot pays next to nothing per stanza. prom-client is loaded on first use, so a bot without
 * a web side never loads it.
 *
 * @example
 * ```ts
 * const metrics = await BotMetrics.create(source)
 * const text = await metrics.text()
 * ```
 */
export class BotMetrics {
  readonly #requests = new Tally<'route' | 'status'>()

  private constructor(private readonly registry: import('prom-client').Registry) {}

  /** The content type of {@link text}. */
  get contentType(): string {
    return this.registry.contentType
  }

  /** Loads prom-client, registers the metrics and starts counting the bot's events. */
  static async create(source: MetricsSource): Promise<BotMetrics> {
    const prom = await import('prom-client')
    const registry = new prom.Registry()
    const metrics = new BotMetrics(registry)
    const registers = [registry]
    const counter = <L extends string>(
      name: string,
      help: string,
      labelNames: readonly L[],
      read: () => Iterable<{ labels: Record<L, string>; value: number }>,
    ) =>
      new prom.Counter<L>({
        name,
        help,
        labelNames,
        registers,
        collect() {
          this.reset()
          for (const { labels, value } of read()) this.inc(labels as Partial<Record<L, string>>, value)
        },
      })
    const gauge = (name: string, help: string, read: () => number) =>
      new prom.Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read())
        },
      })
    const stanzas = new Tally<'direction' | 'kind'>()
    const failures = new Tally<'kind'>()
    const sessions = new Tally<'resumed'>()
    const durations = new Durations()
    let attempts = 0
    let drops = 0
    counter('natter_stanzas_total', 'Stanzas received from and sent to the server, by stanza name', ['direction', 'kind'], () => stanzas.entries())
    const durationName = 'natter_handler_duration_seconds'
    const durationHelp = "How long each inbound stanza's handler chain ran, by stanza kind"
    // Rendered from the plain counts: prom-client's own histogram costs close to a microsecond per observation.
    const histogram = { name: durationName, help: durationHelp, type: 'histogram', aggregator: 'sum' }
    registry.registerMetric({
      ...histogram,
      get: async () => ({ ...histogram, values: durations.values(durationName) }),
    } as unknown as import('prom-client').Metric)
    counter('natter_handler_errors_total', 'Handler chains that failed, by stanza kind', ['kind'], () => failures.entries())
    counter('natter_http_requests_total', 'HTTP requests answered, by route and status', ['route', 'status'], () => metrics.#requests.entries())
    counter('natter_sessions_total', 'Sessions that came online, new or resumed', ['resumed'], () => sessions.entries())
    counter('natter_reconnect_attempts_total', 'Connection attempts that failed and were retried', [], () => [{ labels: {}, value: attempts }])
    counter('natter_disconnects_total', 'Times the link to the server dropped', [], () => [{ labels: {}, value: drops }])
    gauge('natter_online', 'Whether the bot has a session with its server (1) or not (0)', () => (source.online ? 1 : 0))
    gauge('natter_outbox_stanzas', 'Stanzas waiting in the outbox for the link to come back', () => source.queues.outbox)
    gauge('natter_write_queue_stanzas', 'Stanzas waiting for their turn on the link', () => source.queues.writes)
    gauge('natter_formation_members', 'Processes of this bot taking work now, this one included', () => source.formationMembers())
    const cpu = () => process.cpuUsage()
    counter('process_cpu_user_seconds_total', 'User CPU time spent, in seconds', [], () => [{ labels: {}, value: cpu().user / 1e6 }])
    counter('process_cpu_system_seconds_total', 'System CPU time spent, in seconds', [], () => [{ labels: {}, value: cpu().system / 1e6 }])
    gauge('process_resident_memory_bytes', 'Resident memory size, in bytes', () => process.memoryUsage.rss())
    gauge('nodejs_heap_size_used_bytes', 'Heap in use, in bytes', () => process.memoryUsage().heapUsed)
    gauge('process_start_time_seconds', 'When the process started, in seconds since the epoch', () => Math.round(Date.now() / 1000 - process.uptime()))
    source.on('stanza', ({ direction, name }) => {
      const kind = STANZA_NAMES.has(name) ? name : 'other'
      stanzas.add(`${direction} ${kind}`, () => ({ direction, kind }))
    })
    source.on('handled', ({ kind, ms, failed }) => {
      durations.observe(kind, ms / 1000)
      if (failed) failures.add(kind, () => ({ kind }))
    })
    source.on('ready', ({ resumed }) => sessions.add(String(resumed), () => ({ resumed: String(resumed) })))
    source.on('reconnecting', () => {
      attempts += 1
    })
    source.on('disconnected', () => {
      drops += 1
    })
    return metrics
  }

  /** Counts an HTTP request answered; `route` is the registered path, never the requested one, so the label set stays small. */
  request(route: string, status: number): void {
    this.#requests.add(`${route} ${status}`, () => ({ route, status: String(status) }))
  }

  /** The metrics, in the registry's format. */
  text(): Promise<string> {
    return this.registry.metrics()
  }
}
