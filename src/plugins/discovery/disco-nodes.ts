import type { XmlChild } from '../../xml.js'

/**
 * An item listed under a node in disco#items: the JID that holds it (the bot's own when omitted), its node and name.
 *
 * @example
 * ```ts
 * const item: DiscoItem = { node: 'status', name: 'Show the status' }
 * ```
 */
export interface DiscoItem {
  jid?: string
  node?: string
  name?: string
}

/**
 * What the bot answers about one node: the children of its disco#info answer, and its disco#items. Each
 * gets the asker's JID (to tailor the answer: admins see more) and the node asked; returning undefined answers `item-not-found`.
 *
 * @example
 * ```ts
 * const answers: NodeAnswers = { items: () => [{ node: 'status', name: 'Status' }] }
 * ```
 */
export interface NodeAnswers {
  info?: (from: string, node: string) => XmlChild[] | undefined
  items?: (from: string, node: string) => DiscoItem[] | undefined
}

/**
 * The nodes the bot answers disco#info and disco#items on (XEP-0030), besides itself: a fixed node, or
 * every node a test accepts (ad-hoc commands, whose nodes come and go).
 *
 * @example
 * ```ts
 * bot.discoNodes.add('urn:example:feeds', { items: () => feeds.map((f) => ({ node: f, name: f })) })
 * ```
 */
export class DiscoNodes {
  readonly #nodes: Array<{ match: (node: string) => boolean; answers: NodeAnswers }> = []

  /** Answers on `node`, or on every node `node` accepts; the first added that matches answers. */
  add(node: string | ((node: string) => boolean), answers: NodeAnswers): void {
    this.#nodes.push({ match: typeof node === 'string' ? (n) => n === node : node, answers })
  }

  /** @internal What answers on `node`, if anything does. */
  find(node: string): NodeAnswers | undefined {
    return this.#nodes.find((n) => n.match(node))?.answers
  }
}
