import { type Checkpoint, type CheckpointMetadata, defaultSerializer } from "@savepoint/core";
import type { Cluster, Redis } from "ioredis";
import { type ThreadKeys, threadKeys } from "../../src/index.js";
import { toHex } from "../../src/keys.js";

// Raw damage to a stored thread, with plain Redis commands on the layout of
// src/keys.ts: what a hand edit, an eviction or a partial restore leaves.

/** The field of checkpoint `checkpointId` of namespace `ns` in the cp / md hashes and the index. */
export function memberOf(ns: string, checkpointId: string): string {
  return `${toHex(ns)}!${toHex(checkpointId)}`;
}

/** The checkpoint's member as the by-id index holds it (`cid!ns`). */
export function byIdMemberOf(ns: string, checkpointId: string): string {
  return `${toHex(checkpointId)}!${toHex(ns)}`;
}

/** Raw access to one thread's keys. */
export class ThreadSurgery {
  readonly keys: ThreadKeys;

  constructor(
    private readonly client: Redis | Cluster,
    prefix: string,
    readonly threadId: string,
  ) {
    this.keys = threadKeys(prefix, threadId);
  }

  /** Replaces what follows the header line of a record (the serialized value). */
  async replaceBody(hash: string, field: string, body: string): Promise<void> {
    const record = await this.client.hgetBuffer(hash, field);
    if (!record) throw new Error(`no record ${field} in ${hash}`);
    const header = record.subarray(0, record.indexOf(0x0a) + 1).toString("utf8");
    await this.client.hset(hash, field, header + body);
  }

  /** Replaces a whole record, header included. */
  async replaceRecord(hash: string, field: string, record: string): Promise<void> {
    await this.client.hset(hash, field, record);
  }

  /** The fields of the writes of one checkpoint, with their records' header lines. */
  async writes(ns: string, checkpointId: string): Promise<{ field: string; header: unknown[] }[]> {
    const m = memberOf(ns, checkpointId);
    const fields = await this.client.zrangebylex(this.keys.writeIndex, `[${m}!`, `(${m}"`);
    const out: { field: string; header: unknown[] }[] = [];
    for (const field of fields) {
      const record = (await this.client.hgetBuffer(this.keys.writes, field))!;
      out.push({ field, header: JSON.parse(record.subarray(0, record.indexOf(0x0a)).toString()) });
    }
    return out;
  }

  /** The write field of `channel` written by task `taskId` at the checkpoint. */
  async writeField(
    ns: string,
    checkpointId: string,
    taskId: string,
    channel: string,
  ): Promise<string> {
    const found = (await this.writes(ns, checkpointId)).find(
      ({ header }) => header[1] === taskId && header[3] === channel,
    );
    if (!found) throw new Error(`no write of ${taskId} to ${channel}`);
    return found.field;
  }

  /**
   * Removes a checkpoint's records (checkpoint and metadata). With `index`,
   * also its entries in both indexes and its writes: a checkpoint removed
   * without trace. Without, the index still lists it.
   */
  async removeCheckpoint(ns: string, checkpointId: string, index: boolean): Promise<void> {
    const m = memberOf(ns, checkpointId);
    if (index) {
      const writes = await this.writes(ns, checkpointId);
      for (const { field } of writes) {
        await this.client.hdel(this.keys.writes, field);
        await this.client.zrem(this.keys.writeIndex, field);
      }
      await this.client.zrem(this.keys.byNamespace, m);
      await this.client.zrem(this.keys.byId, byIdMemberOf(ns, checkpointId));
    }
    await this.client.hdel(this.keys.checkpoints, m);
    await this.client.hdel(this.keys.metadata, m);
  }

  /** Removes a checkpoint's entries from both indexes, keeping its records. */
  async unindex(ns: string, checkpointId: string): Promise<void> {
    await this.client.zrem(this.keys.byNamespace, memberOf(ns, checkpointId));
    await this.client.zrem(this.keys.byId, byIdMemberOf(ns, checkpointId));
  }

  /**
   * Writes a checkpoint as @savepoint/redis wrote them before channel values
   * were stored apart: a format-1 record with `channel_values` inline, its
   * metadata, and its index entries.
   */
  async writeLegacyCheckpoint(
    ns: string,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    parentId: string | null,
  ): Promise<void> {
    const m = memberOf(ns, checkpoint.id);
    const type = defaultSerializer.type;
    const record = `${JSON.stringify([1, parentId, type])}\n${defaultSerializer.encode(checkpoint)}`;
    await this.client.hset(this.keys.checkpoints, m, record);
    await this.client.hset(
      this.keys.metadata,
      m,
      `${JSON.stringify([1, type])}\n${defaultSerializer.encode(metadata)}`,
    );
    await this.client.zadd(this.keys.byNamespace, 0, m);
    await this.client.zadd(this.keys.byId, 0, byIdMemberOf(ns, checkpoint.id));
  }

  /** The fields of the thread's channel values (`ns!channel!version`, hex). */
  async channelValueFields(): Promise<string[]> {
    return (await this.client.hkeys(this.keys.channelValues)).sort();
  }

  /** Whether the by-namespace index lists the checkpoint. */
  async indexed(ns: string, checkpointId: string): Promise<boolean> {
    return (await this.client.zscore(this.keys.byNamespace, memberOf(ns, checkpointId))) !== null;
  }
}
