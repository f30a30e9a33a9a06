import type { BotEvents } from '../../bot/events.js'

/** What the metrics read from the bot: its events, and its state at each scrape. */
export interface MetricsSource {
  on<E extends keyof BotEvents>(event: E, listener: (info: BotEvents[E]) => unknown): unknown
  readonly online: boolean
  readonly queues: { readonly outbox: number; readonly writes: number }
  /** The processes of the formation taking work now. */
  formationMembers(): number
}

/** A counter or histogram child with its labels bound, kept so the hot path does not hash labels again. */
interface Increment {
  inc(value?: number): void
}
interface Observe {
  observe(value: number): void
}

/** Stanza names counted by their own label; anything else a server sends is `other`, so the label set stays small. */
const STANZA_NAMES = new Set(['message', 'presence', 'iq'])

/** Handler durations, in seconds: from a quick reply to a slow command. */
const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

/**
 * The bot's metrics in Prometheus's text format, on a registry of their own: stanzas in and out,
 * handler durations and failures, sessions (new and resumed), reconnect attempts, what waits to go
 * out, formation members, HTTP requests by route and status, and the process's default metrics.
 * prom-client is loaded on first use, so a bot without a web side never pays for it.
 *
 * @example
 * ```ts
 * const metrics = await BotMetrics.create(source)
 * const text = await metrics.text()
 * ```
 */
export class BotMetrics {
  readonly #stanzas = new Map<string, Increment>()
  readonly #durations = new Map<string, Observe>()
  readonly #failures = new Map<string, Increment>()
  readonly #requests = new Map<string, Increment>()

  private constructor(
    private readonly registry: import('prom-client').Registry,
    private readonly metric: {
      readonly stanzas: import('prom-client').Counter<'direction' | 'kind'>
      readonly durations: import('prom-client').Histogram<'kind'>
      readonly failures: import('prom-client').Counter<'kind'>
      readonly requests: import('prom-client').Counter<'route' | 'status'>
    },
  ) {}

  /** The content type of {@link text}. */
  get contentType(): string {
    return this.registry.contentType
  }

  /** Loads prom-client, registers the metrics and starts counting the bot's events. */
  static async create(source: MetricsSource): Promise<BotMetrics> {
    const prom = await import('prom-client')
    const registry = new prom.Registry()
    prom.collectDefaultMetrics({ register: registry })
    const registers = [registry]
    const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) => new prom.Counter<L>({ name, help, labelNames, registers })
    const gauge = (name: string, help: string, read: () => number) =>
      new prom.Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read())
        },
      })
    const metrics = new BotMetrics(registry, {
      stanzas: counter('natter_stanzas_total', 'Stanzas received from and sent to the server, by stanza name', ['direction', 'kind']),
      durations: new prom.Histogram({
        name: 'natter_handler_duration_seconds',
        help: "How long each inbound stanza's handler chain ran, by stanza kind",
        labelNames: ['kind'],
        buckets: DURATION_BUCKETS,
        registers,
      }),
      failures: counter('natter_handler_errors_total', 'Handler chains that failed, by stanza kind', ['kind']),
      requests: counter('natter_http_requests_total', 'HTTP requests answered, by route and status', ['route', 'status']),
    })
    const sessions = counter('natter_sessions_total', 'Sessions that came online, new or resumed', ['resumed'])
    const attempts = counter('natter_reconnect_attempts_total', 'Connection attempts that failed and were retried')
    const drops = counter('natter_disconnects_total', 'Times the link to the server dropped')
    gauge('natter_online', 'Whether the bot has a session with its server (1) or not (0)', () => (source.online ? 1 : 0))
    gauge('natter_outbox_stanzas', 'Stanzas waiting in the outbox for the link to come back', () => source.queues.outbox)
    gauge('natter_write_queue_stanzas', 'Stanzas waiting for their turn on the link', () => source.queues.writes)
    gauge('natter_formation_members', 'Processes of this bot taking work now, this one included', () => source.formationMembers())
    source.on('stanza', ({ direction, name }) => metrics.#stanza(direction, STANZA_NAMES.has(name) ? name : 'other'))
    source.on('handled', ({ kind, ms, failed }) => metrics.#handled(kind, ms, failed))
    source.on('ready', ({ resumed }) => sessions.inc({ resumed: String(resumed) }))
    source.on('reconnecting', () => attempts.inc())
    source.on('disconnected', () => drops.inc())
    return metrics
  }

  /** Counts an HTTP request answered; `route` is the registered path, never the requested one, so the label set stays small. */
  request(route: string, status: number): void {
    const key = `${route} ${status}`
    let child = this.#requests.get(key)
    if (!child) this.#requests.set(key, (child = this.metric.requests.labels({ route, status: String(status) })))
    child.inc()
  }

  /** The metrics, in the registry's format. */
  text(): Promise<string> {
    return this.registry.metrics()
  }

  #stanza(direction: 'in' | 'out', kind: string): void {
    const key = `${direction} ${kind}`
    let child = this.#stanzas.get(key)
    if (!child) this.#stanzas.set(key, (child = this.metric.stanzas.labels({ direction, kind })))
    child.inc()
  }

  #handled(kind: string, ms: number, failed: boolean): void {
    let duration = this.#durations.get(kind)
    if (!duration) this.#durations.set(kind, (duration = this.metric.durations.labels({ kind })))
    duration.observe(ms / 1000)
    if (!failed) return
    let failures = this.#failures.get(kind)
    if (!failures) this.#failures.set(kind, (failures = this.metric.failures.labels({ kind })))
    failures.inc()
  }
}
