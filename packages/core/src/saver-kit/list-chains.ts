// Append-only storage of list channels. A chat thread's `messages` channel
// gets a new version every turn that is the previous list plus one or two
// messages; stored whole, each put costs the whole history. A put whose
// parent's version of the channel is a prefix of the new value stores only
// a tail: the elements after those of a base version on the parent's chain
// (see "Which base" below), with a reference to it and its length; a read
// rebuilds the list from the chain of tails down to a full copy.
//
// Soundness. A list element is an object user code may have changed in
// place since it was stored (LangChain messages are mutable), so reference
// equality proves nothing. The new value is encoded whole, and the prefix
// is accepted only when that text starts with the text this saver stored
// for the parent's version, up to a comma between elements. A JSON value's text
// ends where a parser says it ends, so the first elements then have exactly
// the parent's texts, one by one; that text is what the chain rebuilds from,
// so the rebuilt list is the new value exactly. The cost is one encode of
// the list per put (what a full copy cost before) and one comparison of
// text; what no longer grows is the stored bytes and what a put sends.
//
// The text of a base is kept in this process only, for the last put of
// each (thread, namespace), and only once that put committed with every
// value it sent actually stored: a base is only ever a version on the
// parent's own chain, never a guess. Without one (a fork from an older
// checkpoint, another process's put, a restart, a foreign serializer, a
// list with holes) the value is stored whole, which starts a new chain.
//
// Which base. Each version of a chain has a position: 0 for its full copy,
// one more for each put after it. The version at position p extends the
// one at p minus the lowest set bit of p, a jump of at most `cap` (the
// largest power of two not above `limit`): a tail holds what the last one
// to `cap` puts appended, about log2(cap)/2 + 1 puts' worth on average,
// and a read follows about p/cap + log2(cap) links instead of p. That base
// is always on the parent's own chain (clearing low bits of p reaches what
// clearing them from p - 1 reaches), so the parent's text, which extends
// every version on its chain up to a comma, proves it too. A new full copy
// is stored only when a read would follow more than `limit` links: with
// the defaults, after about 3,700 puts. So what a put stores does not grow
// with the list, amortized: a full copy every `limit` puts would add 1/limit
// of the whole list to every put.

import type { ChannelVersion, ChannelVersions } from "../contract/checkpoint.js";
import { InvalidArgumentError } from "../errors/index.js";
import type { Owner, SavepointSerializer, SerializerProtocol } from "../serde/serializer.js";
import { savepointSerializerOf } from "../serde/typed.js";
import type { ChannelBlob } from "./channel-values.js";

/**
 * The most links a read of a list follows: a put whose tail would make its
 * chain longer stores a full copy instead (see docs/benchmarks.md, S1).
 *
 * @example
 * ```ts
 * new ListChains(serializer, { limit: LIST_CHAIN_LIMIT });
 * ```
 */
export const LIST_CHAIN_LIMIT = 64;

/**
 * The shortest list stored as a chain: a shorter one is encoded as any
 * value (one encode, nothing kept), since a tail saves little on it and the
 * element-by-element encoding would cost the runtime's small lists more.
 *
 * @example
 * ```ts
 * if (value.length >= LIST_MIN_LENGTH) write = chains.encode(...);
 * ```
 */
export const LIST_MIN_LENGTH = 8;

/**
 * How a put stores one list value: whole (`text`, an ordinary value), or as
 * the elements after the first `offset` of version `base` (`text` is the
 * tail's JSON, stored with {@link LIST_TAIL_TYPE}).
 *
 * @example
 * ```ts
 * const write = chains.encode("t1", "", parentId, "messages", 7, messages, owner);
 * if (write?.base !== undefined) storeTail(write.text, write.base, write.offset);
 * ```
 */
export interface ListWrite {
  /** The JSON text to store: the whole list, or only its tail. */
  readonly text: string;
  /** The version the tail extends; absent for a full copy. */
  readonly base?: string;
  /** How many elements the base holds (the tail starts there). */
  readonly offset: number;
  /** @internal the whole list's text, kept for the next put's comparison */
  readonly whole: string;
  /** @internal its place in the chain: a link and the versions a later tail may extend */
  readonly link: ChainLink;
  /** @internal the links after `link` on its chain, newest first */
  readonly below: readonly ChainLink[];
}

/** One stored version of a list chain, as a later put may extend it. */
interface ChainLink {
  /** 0 for the chain's full copy, one more for each put after it. */
  readonly position: number;
  readonly version: string;
  /** How many elements it holds. */
  readonly count: number;
  /** The length of its whole list's text. */
  readonly chars: number;
  /** How many links a read of it follows (0: the full copy). */
  readonly links: number;
}

interface KnownList {
  /** The whole list's JSON text. */
  readonly text: string;
  /** This version (first) and the versions below it on its chain, newest first. */
  readonly chain: readonly [ChainLink, ...ChainLink[]];
}

interface LastPut {
  readonly checkpointId: string;
  readonly lists: Map<string, KnownList>;
  readonly size: number;
}

/**
 * Options of {@link ListChains}.
 *
 * @example
 * ```ts
 * new ListChains(serializer, { limit: 64, budget: 16_000_000 });
 * ```
 */
export interface ListChainOptions {
  /** The most links a read follows before a put stores a full copy (default {@link LIST_CHAIN_LIMIT}). */
  limit?: number;
  /** Characters of element text kept across all threads (default 32 million); the least recent threads go first. */
  budget?: number;
}

/**
 * The put a list is stored in: its thread, namespace and parent checkpoint.
 *
 * @example
 * ```ts
 * const scope: ListPutScope = { threadId: "t1", ns: "", parentId: undefined };
 * ```
 */
export interface ListPutScope {
  /** The thread the put writes. */
  threadId: string;
  /** Its checkpoint namespace. */
  ns: string;
  /** The put's parent checkpoint, if any. */
  parentId: string | undefined;
}

/**
 * One saver's memory of the lists it stored last, per (thread, namespace),
 * and the encoding of list values as tails of them. See the header of
 * `saver-kit/list-chains.ts` for why a tail is always exact.
 *
 * @example
 * ```ts
 * const chains = new ListChains(defaultSerializer);
 * const write = chains.encode(threadId, ns, parentId, "messages", version, value, owner);
 * // ... store it; once the put committed with every value stored:
 * chains.committed(threadId, ns, parentId, checkpointId, checkpoint.channel_versions, newVersions, writes);
 * ```
 */
export class ListChains {
  private readonly last = new Map<string, LastPut>();
  private readonly limit: number;
  // The longest jump back a tail makes: the largest power of two not above the limit.
  private readonly cap: number;
  private readonly budget: number;
  private size = 0;

  constructor(
    private readonly serializer: SavepointSerializer,
    options: ListChainOptions = {},
  ) {
    this.limit = options.limit ?? LIST_CHAIN_LIMIT;
    this.cap = this.limit >= 1 ? 2 ** Math.floor(Math.log2(this.limit)) : 1;
    this.budget = options.budget ?? 32_000_000;
  }

  /**
   * {@link ListChains.encode} for one of a put's channel blobs
   * (`channelBlobs`): `undefined` for an emptied channel, as for a value
   * that is not a list.
   *
   * @example
   * ```ts
   * const write = chains.encodeBlob({ threadId, ns, parentId }, blob, owner);
   * ```
   */
  encodeBlob(scope: ListPutScope, blob: ChannelBlob, owner: Owner): ListWrite | undefined {
    if (!blob.present) return undefined;
    const { threadId, ns, parentId } = scope;
    return this.encode(threadId, ns, parentId, blob.channel, blob.version, blob.value, owner);
  }

  /**
   * How to store `value`, version `version` of `channel` in a put whose
   * parent is `parentId`: a tail when the parent is the last put this saver
   * committed on (thread, ns) and its version of the channel is an exact
   * prefix; else whole. `undefined` when `value` is not a list this can
   * store (not an array, a hole, an element that fails to encode): the
   * saver then encodes it as any value, and its error names the path.
   */
  encode(
    threadId: string,
    ns: string,
    parentId: string | undefined,
    channel: string,
    version: ChannelVersion,
    value: unknown,
    owner: Owner,
  ): ListWrite | undefined {
    if (!Array.isArray(value) || Object.getPrototypeOf(value) !== Array.prototype) return undefined;
    if (value.length < LIST_MIN_LENGTH) return undefined;
    for (let i = 0; i < value.length; i++) if (!(i in value)) return undefined;
    let whole: string;
    try {
      whole = this.serializer.encode(value, owner);
    } catch {
      return undefined;
    }
    let parent = this.baseOf(threadId, ns, parentId, channel);
    // A put that sends a channel again at its parent's version (a saver
    // re-sending every channel) stores nothing new: never a tail on itself.
    if (parent?.chain[0].version === String(version)) parent = undefined;
    const asWhole = () => wholeWrite(whole, String(version), value.length);
    // The new text must extend the parent's, which extends every version below it.
    if (!parent || afterPrefix(parent.text, whole) === undefined) return asWhole();
    const position = parent.chain[0].position + 1;
    const target = position - Math.min(position & -position, this.cap);
    const at = parent.chain.findIndex((link) => link.position === target);
    const base = parent.chain[at];
    if (!base || base.links >= this.limit) return asWhole();
    const rest = afterChars(whole, base.chars);
    // The tail is encoded on its own, so what is stored is a string of its
    // own size: a slice of `whole` would keep all of it alive with every
    // tail. It must be the very text `whole` ends with (a codec that
    // encodes one value two ways gets the list stored whole).
    const tail = rest === undefined ? undefined : this.encodeTail(value, base.count, owner);
    if (tail === undefined || tail !== `[${rest}`) return asWhole();
    return {
      text: tail,
      base: base.version,
      offset: base.count,
      whole,
      link: {
        position,
        version: String(version),
        count: value.length,
        chars: whole.length,
        links: base.links + 1,
      },
      below: parent.chain.slice(at),
    };
  }

  private encodeTail(value: unknown[], from: number, owner: Owner): string | undefined {
    try {
      return this.serializer.encode(value.slice(from), owner);
    } catch {
      return undefined;
    }
  }

  private baseOf(
    threadId: string,
    ns: string,
    parentId: string | undefined,
    channel: string,
  ): KnownList | undefined {
    if (parentId === undefined) return undefined;
    const last = this.last.get(keyOf(threadId, ns));
    return last?.checkpointId === parentId ? last.lists.get(channel) : undefined;
  }

  /**
   * Records a committed put whose values were all stored as sent (none was
   * already there): its lists become the bases of the next put from it.
   * Lists of channels it did not change are carried over from its parent
   * when the parent was the last put known here.
   */
  committed(
    threadId: string,
    ns: string,
    parentId: string | undefined,
    checkpointId: string,
    versions: ChannelVersions,
    newVersions: ChannelVersions,
    writes: ReadonlyMap<string, ListWrite>,
  ): void {
    const key = keyOf(threadId, ns);
    const previous = this.last.get(key);
    const parent = previous && previous.checkpointId === parentId ? previous : undefined;
    const lists = new Map<string, KnownList>();
    let size = 0;
    for (const channel of Object.keys(versions ?? {})) {
      const version = String(versions[channel] as ChannelVersion);
      let known: KnownList | undefined;
      const write = writes.get(channel);
      if (write && String(newVersions[channel]) === version) {
        known = { text: write.whole, chain: [write.link, ...write.below] };
      } else if (!Object.hasOwn(newVersions ?? {}, channel)) {
        const carried = parent?.lists.get(channel);
        if (carried?.chain[0].version === version) known = carried;
      }
      if (!known) continue;
      lists.set(channel, known);
      size += known.text.length;
    }
    this.drop(key);
    if (lists.size === 0 || size > this.budget) return;
    this.last.set(key, { checkpointId, lists, size });
    this.size += size;
    // Least recently written threads first (a Map iterates in insertion order).
    for (const [oldest, entry] of this.last) {
      if (this.size <= this.budget) break;
      this.last.delete(oldest);
      this.size -= entry.size;
    }
  }

  /** Forgets what is known of a thread (every namespace, or one): after a failed put, a delete, a prune. */
  forget(threadId: string, ns?: string): void {
    if (ns !== undefined) {
      this.drop(keyOf(threadId, ns));
      return;
    }
    const prefix = keyOf(threadId, "");
    for (const key of [...this.last.keys()]) if (key.startsWith(prefix)) this.drop(key);
  }

  private drop(key: string): void {
    const entry = this.last.get(key);
    if (!entry) return;
    this.last.delete(key);
    this.size -= entry.size;
  }
}

/**
 * The chains of a saver with serializer `serde` and the `listChainLimit`
 * option `limit` (checked: a whole number, 0 for none): `undefined` when
 * lists are stored whole, with a serializer other than Savepoint's (a tail
 * is its JSON text) or a limit of 0.
 *
 * @example
 * ```ts
 * this.chains = listChainsFor(this.serde, options.listChainLimit, "MemorySaver");
 * ```
 */
export function listChainsFor(
  serde: SerializerProtocol,
  limit: number | undefined,
  saver: string,
): ListChains | undefined {
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 0)) {
    throw new InvalidArgumentError(
      `${saver}: listChainLimit ${String(limit)} is not a whole number of links; pass 0 to store every list whole, or leave it out for ${LIST_CHAIN_LIMIT}.`,
    );
  }
  const ours = savepointSerializerOf(serde);
  if (!ours || limit === 0) return undefined;
  return new ListChains(ours, { limit: limit ?? LIST_CHAIN_LIMIT });
}

/**
 * `write` as a full copy: for a saver that finds, in the step that stores
 * it, that the base of a tail is gone (pruned or deleted meanwhile).
 *
 * @example
 * ```ts
 * if (!stored.has(write.base)) write = fullListWrite(write);
 * ```
 */
export function fullListWrite(write: ListWrite): ListWrite {
  if (write.base === undefined) return write;
  return wholeWrite(write.whole, write.link.version, write.link.count);
}

// A list stored whole: a chain's full copy, the first link of a new chain.
function wholeWrite(whole: string, version: string, count: number): ListWrite {
  return {
    text: whole,
    offset: 0,
    whole,
    link: { position: 0, version, count, chars: whole.length, links: 0 },
    below: [],
  };
}

function keyOf(threadId: string, ns: string): string {
  return `${threadId}\u0000${ns}`;
}

// What follows the elements of list text `base` in list text `whole`
// ("b,c]" of "[a,b,c]" after "[a]", "]" when they are equal), or
// undefined when `whole` does not begin with every element of `base`.
function afterPrefix(base: string, whole: string): string | undefined {
  const open = base.length - 1; // the base without its closing "]"
  // Two slices compared (one memory comparison) rather than startsWith, a
  // character loop, twenty times slower on a long thread's text.
  if (whole.length < base.length || whole.slice(0, open) !== base.slice(0, open)) return undefined;
  const next = whole.charCodeAt(open);
  if (next === 93 /* ] */) return whole.length === base.length ? "]" : undefined;
  if (next !== 44 /* , */) return undefined;
  return whole.slice(open + 1);
}

// What follows the first `chars - 1` characters of list text `whole`, which
// are known to be a list text's elements (that list's text without its
// "]"): the rest after the comma, "]" when nothing follows, else undefined.
function afterChars(whole: string, chars: number): string | undefined {
  const next = whole.charCodeAt(chars - 1);
  if (next === 93 /* ] */) return whole.length === chars ? "]" : undefined;
  if (next !== 44 /* , */) return undefined;
  return whole.slice(chars);
}
