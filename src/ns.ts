/**
 * The XML namespaces natter speaks, each named once. A leaf: every layer may import it.
 * natter's own formation namespace lives with the formation plugin.
 */

/** RFC 6120: the stream itself, and its features. */
export const NS_STREAMS = 'http://etherx.jabber.org/streams'
/** RFC 6120: stanza error conditions. */
export const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas'
/** RFC 6120: SASL. */
export const NS_SASL = 'urn:ietf:params:xml:ns:xmpp-sasl'
/** XEP-0440: SASL channel-binding type capability. */
export const NS_SASL_CB = 'urn:xmpp:sasl-cb:0'
/** XEP-0198: stream management. */
export const NS_SM = 'urn:xmpp:sm:3'
/** XEP-0478: stream limits advertisement. */
export const NS_STREAM_LIMITS = 'urn:xmpp:stream-limits:0'
/** Application-specific error conditions, such as `<stanza-too-big/>`. */
export const NS_ERRORS = 'urn:xmpp:errors'
/** RFC 6121: the roster. */
export const NS_ROSTER = 'jabber:iq:roster'
/** XEP-0030: service discovery, information. */
export const NS_DISCO_INFO = 'http://jabber.org/protocol/disco#info'
/** XEP-0030: service discovery, items. */
export const NS_DISCO_ITEMS = 'http://jabber.org/protocol/disco#items'
/** XEP-0004: data forms. */
export const NS_DATA = 'jabber:x:data'
/** XEP-0092: software version. */
export const NS_VERSION = 'jabber:iq:version'
/** XEP-0199: XMPP ping. */
export const NS_PING = 'urn:xmpp:ping'
/** XEP-0203: delayed delivery. */
export const NS_DELAY = 'urn:xmpp:delay'
/** XEP-0085: chat state notifications. */
export const NS_CHATSTATES = 'http://jabber.org/protocol/chatstates'
/** XEP-0280: message carbons. */
export const NS_CARBONS = 'urn:xmpp:carbons:2'
/** XEP-0297: stanza forwarding, which carbons wrap copies in. */
export const NS_FORWARD = 'urn:xmpp:forward:0'
/** XEP-0045: multi-user chat. */
export const NS_MUC = 'http://jabber.org/protocol/muc'
/** XEP-0045: what a room says about its occupants. */
export const NS_MUC_USER = 'http://jabber.org/protocol/muc#user'
/** XEP-0045: room configuration by its owner. */
export const NS_MUC_OWNER = 'http://jabber.org/protocol/muc#owner'
/** XEP-0045: room administration (roles and affiliations). */
export const NS_MUC_ADMIN = 'http://jabber.org/protocol/muc#admin'
/** XEP-0363: HTTP file upload. */
export const NS_UPLOAD = 'urn:xmpp:http:upload:0'
/** XEP-0049: private XML storage, where the store keeps values on the bot's own account. */
export const NS_PRIVATE = 'jabber:iq:private'
/** XEP-0249: direct MUC invitations. */
export const NS_CONFERENCE = 'jabber:x:conference'
/** XEP-0060: publish-subscribe requests. */
export const NS_PUBSUB = 'http://jabber.org/protocol/pubsub'
/** XEP-0060: publish-subscribe event notifications. */
export const NS_PUBSUB_EVENT = 'http://jabber.org/protocol/pubsub#event'
/** XEP-0060: publish-subscribe requests of a node's owner (configure, delete). */
export const NS_PUBSUB_OWNER = 'http://jabber.org/protocol/pubsub#owner'
/** XEP-0060: the FORM_TYPE of a node's configuration form. */
export const NS_PUBSUB_NODE_CONFIG = 'http://jabber.org/protocol/pubsub#node_config'
/** XEP-0060: the FORM_TYPE of publish options. */
export const NS_PUBSUB_PUBLISH_OPTIONS = 'http://jabber.org/protocol/pubsub#publish-options'
/** XEP-0054: vCard-temp, the bot's name and photo as older clients read them. */
export const NS_VCARD = 'vcard-temp'
/** XEP-0084: the node holding the avatar's image data. */
export const NS_AVATAR_DATA = 'urn:xmpp:avatar:data'
/** XEP-0084: the node telling which avatar is current. */
export const NS_AVATAR_METADATA = 'urn:xmpp:avatar:metadata'
/** XEP-0115: entity capabilities. */
export const NS_CAPS = 'http://jabber.org/protocol/caps'
/** XEP-0050: ad-hoc commands. */
export const NS_COMMANDS = 'http://jabber.org/protocol/commands'

/** XEP-0114: the stream an external component opens to its server. */
export const NS_COMPONENT_ACCEPT = 'jabber:component:accept'
/** XEP-0461: message replies. */
export const NS_REPLY = 'urn:xmpp:reply:0'
/** XEP-0428: fallback indication, which marks the part of a body that only stands in for an element. */
export const NS_FALLBACK = 'urn:xmpp:fallback:0'
/** XEP-0444: message reactions. */
export const NS_REACTIONS = 'urn:xmpp:reactions:0'
/** XEP-0308: last message correction. */
export const NS_CORRECTION = 'urn:xmpp:message-correct:0'
/** XEP-0424: message retraction, as its current version writes it. */
export const NS_RETRACT = 'urn:xmpp:message-retract:1'
/** XEP-0424: message retraction, as its version 0.3 wrapped it in an XEP-0422 `<apply-to/>`. */
export const NS_RETRACT_0 = 'urn:xmpp:message-retract:0'
/** XEP-0422: message fastening, the wrapper of the older retractions. */
export const NS_FASTEN = 'urn:xmpp:fasten:0'
/** XEP-0333: chat markers. */
export const NS_CHAT_MARKERS = 'urn:xmpp:chat-markers:0'
/** XEP-0393: message styling; its `<unstyled/>` asks the recipient to show the body as typed. */
export const NS_STYLING = 'urn:xmpp:styling:0'
/** XEP-0066: out-of-band data, the link a shared file travels as. */
export const NS_OOB = 'jabber:x:oob'
/** XEP-0359: unique and stable stanza ids, which a room stamps on what it relays. */
export const NS_SID = 'urn:xmpp:sid:0'
/** XEP-0334: message processing hints. */
export const NS_HINTS = 'urn:xmpp:hints'
