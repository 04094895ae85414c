// The one statement of a `put`: the checkpoint without its values, the
// values of the versions it stores, the head condition `ifHead` chooses, and
// the thread record's update when the call carries one (it rides in the
// same statement, so it commits with the checkpoint or not at all).
import {
  type ChannelVersions,
  type Checkpoint,
  type CheckpointMetadata,
  checkpointWithoutValues,
  type ListChains,
  type ListWrite,
  type PutOptions,
} from "@savepoint/core";
import { keyOf, nsKeyOf } from "./identifiers.js";
import type { Statements } from "./statements.js";
import { recordParams } from "./thread-records.js";
import { encodeBlobs } from "./tuples.js";
import type { ValueCodec } from "./values.js";

/** What one `put` call stores, its ids (and `ifHead`) already checked. */
export interface PutTarget {
  threadId: string;
  ns: string;
  parentId: string | undefined;
  checkpoint: Checkpoint;
  metadata: CheckpointMetadata;
  /** The channels whose values this put stores (every channel while inline rows remain). */
  versions: ChannelVersions;
  options: PutOptions | undefined;
  /** The saver's list chains, when its serializer is Savepoint's (lists may be stored as tails). */
  chains: ListChains | undefined;
}

/**
 * The statement of `target` and its parameters, plus whether it adds a
 * thread record (a first put with one).
 *
 * @example
 * ```ts
 * const { statement, params } = await putQuery(codec, sql, { threadId, ns: "", parentId, checkpoint, metadata, versions, options, chains: undefined });
 * ```
 */
export async function putQuery(
  codec: ValueCodec,
  sql: Statements,
  target: PutTarget,
): Promise<{
  statement: string;
  params: unknown[];
  addsRecord: boolean;
  /** How many channel values the statement sends: its `values_stored` says how many were new. */
  values: number;
  /** The list writes among them, for `ListChains.committed`. */
  lists: Map<string, ListWrite>;
}> {
  const { threadId, ns, checkpoint, options } = target;
  const checkpointId = checkpoint.id;
  const ifHead = options?.ifHead;
  const [type, text] = await codec.encode(
    checkpointWithoutValues(checkpoint),
    `Checkpoint ${checkpointId}`,
  );
  const blobs = await encodeBlobs(
    codec,
    checkpoint,
    target.versions,
    checkpointId,
    target.chains && {
      chains: target.chains,
      threadId,
      ns,
      parentId: target.parentId,
    },
  );
  const params: unknown[] = [
    keyOf(threadId),
    nsKeyOf(ns),
    checkpointId,
    threadId,
    ns,
    target.parentId ?? null,
    type,
    text,
    codec.metadataToJsonb(target.metadata ?? {}),
    JSON.stringify(checkpoint.channel_versions ?? {}),
    blobs.json,
  ];
  const record =
    options?.thread && ns === "" ? await recordParams(codec, threadId, options.thread) : undefined;
  const q = record ? sql.withRecord : sql;
  let statement = q.put;
  if (ifHead === null) statement = q.putIfNoHead;
  else if (typeof ifHead === "string") {
    statement = q.putIfHead;
    params.push(ifHead);
  }
  if (record) params.push(...record);
  return {
    statement,
    params,
    addsRecord: record !== undefined && ifHead === null,
    values: blobs.count,
    lists: blobs.writes,
  };
}
