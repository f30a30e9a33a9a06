import type { Setting } from './setting.js'

/**
 * The settings a bot reads from its environment: the core's rows, then those each feature adds when
 * it is installed. The bot's `--help` lists them.
 *
 * @example
 * ```ts
 * bot.settingsTable.add(WEATHER_KEY)
 * for (const setting of bot.settingsTable.rows) console.log(setting.variable)
 * ```
 */
export class SettingsTable {
  readonly #rows: Setting<unknown>[] = []

  constructor(rows: Iterable<Setting<unknown>> = []) {
    this.add(...rows)
  }

  /** Every row, in the order they were added. */
  get rows(): readonly Setting<unknown>[] {
    return this.#rows
  }

  /**
   * Adds rows. A row already in the table is not added twice (a feature installed twice); another row
   * for a variable already there is refused, since two readers of one variable would disagree.
   *
   * @example
   * ```ts
   * bot.settingsTable.add(WEATHER_KEY, WEATHER_CITY)
   * ```
   */
  add(...rows: Setting<unknown>[]): this {
    for (const row of rows) {
      const present = this.#rows.find((known) => known.variable === row.variable)
      if (present === undefined) this.#rows.push(row)
      else if (present !== row) throw new Error(`${row.variable} is in the settings table already`)
    }
    return this
  }
}
