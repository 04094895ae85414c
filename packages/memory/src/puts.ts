// A put's channel values as MemorySaver stores them: encoded first (every
// value is checked before anything changes), then stored in the put's one
// synchronous step. A list channel that grows by appends is kept as its
// tail (saver-kit/list-chains.ts).
import {
  type ChannelBlob,
  type ChannelVersions,
  type Checkpoint,
  channelBlobs,
  fullListWrite,
  type ListChains,
  type ListWrite,
  type Owner,
} from "@savepoint/core";
import { keptKey, SHARED_TEXTS, textOf } from "./encode-once.js";
import { type Encoded, isTail, type Namespace, type StoredBlob } from "./storage.js";

/** A put's channel values, encoded, with the list writes behind its tails. */
export interface EncodedBlobs {
  blobs: [key: string, value: StoredBlob, channel: string][];
  /** The list channels this put stores as chains, by channel. */
  lists: Map<string, ListWrite>;
}

/** Where the put goes, for list chains and for the owner named in an encoding error. */
export interface BlobTarget {
  threadId: string;
  ns: string;
  parentId: string | undefined;
  checkpointId: string;
}

/**
 * Encodes the values `newVersions` gives new versions of. One object in two
 * channels (a run's `__end__` and `__previous__` hold the same return value)
 * is encoded once: its text is the same. Synchronous while `encode` is
 * (Savepoint's serializer): a promise only from the first value another
 * serializer encodes asynchronously.
 */
export function encodeBlobs(
  checkpoint: Checkpoint,
  newVersions: ChannelVersions,
  target: BlobTarget,
  encode: (value: unknown, owner: Owner) => Encoded | Promise<Encoded>,
  chains: ListChains | undefined,
): EncodedBlobs | Promise<EncodedBlobs> {
  const put: PutEncoding = {
    target,
    encode,
    chains,
    pending: channelBlobs(checkpoint, newVersions),
    out: { blobs: [], lists: new Map() },
    texts: [],
  };
  return encodeFrom(put, 0);
}

// One put's encoding in progress: its blobs, what is encoded so far, and
// the texts of objects already encoded.
interface PutEncoding {
  target: BlobTarget;
  encode: (value: unknown, owner: Owner) => Encoded | Promise<Encoded>;
  chains: ListChains | undefined;
  pending: readonly ChannelBlob[];
  out: EncodedBlobs;
  texts: [value: object, text: string][];
}

// Encodes put.pending[from..]; after an asynchronous value, the rest follow it.
function encodeFrom(put: PutEncoding, from: number): EncodedBlobs | Promise<EncodedBlobs> {
  const { threadId, ns, parentId, checkpointId } = put.target;
  const { blobs, lists } = put.out;
  for (let i = from; i < put.pending.length; i++) {
    const blob = put.pending[i]!;
    const key = keptKey(blob.channel, String(blob.version));
    if (!blob.present) {
      blobs.push([key, null, blob.channel]);
      continue;
    }
    const value = blob.value;
    const owner = () => `Channel "${blob.channel}" of checkpoint ${checkpointId}`;
    const list = put.chains?.encodeBlob({ threadId, ns, parentId }, blob, owner);
    if (list) {
      lists.set(blob.channel, list);
      blobs.push([
        key,
        list.base === undefined
          ? list.text
          : { tail: list.text, base: list.base, offset: list.offset },
        blob.channel,
      ]);
      continue;
    }
    const object = typeof value === "object" && value !== null ? value : undefined;
    const known = object === undefined ? undefined : textOf(put.texts, object);
    if (known !== undefined) {
      blobs.push([key, known, blob.channel]);
      continue;
    }
    const encoded = put.encode(value, owner);
    if (encoded instanceof Promise) {
      return encoded.then((text) => {
        keep(put, object, key, text, blob.channel);
        return encodeFrom(put, i + 1);
      });
    }
    keep(put, object, key, encoded, blob.channel);
  }
  return put.out;
}

// Adds one newly encoded value, remembering its text when it is an object's.
function keep(
  put: PutEncoding,
  object: object | undefined,
  key: string,
  encoded: Encoded,
  channel: string,
): void {
  if (object !== undefined && typeof encoded === "string" && put.texts.length < SHARED_TEXTS)
    put.texts.push([object, encoded]);
  put.out.blobs.push([key, encoded, channel]);
}

/**
 * Stores encoded values in `space`: one value per (channel, version), the
 * first stored stays. Returns whether every one was stored as sent (only
 * then is a list a base for the next put). Updates `lists` for a tail whose
 * base a prune or delete removed since it was planned: that list is stored
 * whole instead (a new chain), never as a dangling link.
 */
export function storeBlobs(space: Namespace, { blobs, lists }: EncodedBlobs): boolean {
  let allStored = true;
  for (const [key, value, channel] of blobs) {
    if (space.blobs.has(key)) {
      allStored = false;
      continue;
    }
    if (isTail(value) && !space.blobs.has(keptKey(channel, value.base))) {
      const full = fullListWrite(lists.get(channel)!);
      lists.set(channel, full);
      space.blobs.set(key, full.text);
    } else space.blobs.set(key, value);
  }
  return allStored;
}
