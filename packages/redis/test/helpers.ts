import { randomBytes } from "node:crypto";
import {
  makeMetadata,
  serviceAvailable,
  makeCheckpoint as suiteCheckpoint,
} from "@savepoint/conformance";
import {
  type ChannelVersions,
  type Checkpoint,
  newCheckpointId,
  nextUniqueVersion,
  type RunnableConfig,
} from "@savepoint/core";
import { type Cluster, Redis } from "ioredis";

/** The Redis the tests use: the machine's service, or REDIS_URL. */
export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** Whether the Redis at REDIS_URL answers (skips loudly, or fails with REQUIRE_SERVICES=1). */
export const redisUp = await serviceAvailable("Redis", REDIS_URL, async () => {
  const client = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.ping();
  } finally {
    client.disconnect();
  }
});

/** A key prefix no other test file uses, made only of [a-z0-9] so it is safe in SCAN MATCH. */
export function randomPrefix(label: string): string {
  return `sptest-${label}-${randomBytes(6).toString("hex")}`;
}

/** Deletes every key under `prefix` (SCAN on a private random prefix: test cleanup only). */
export async function deletePrefix(client: Redis | Cluster, prefix: string): Promise<number> {
  const nodes = client.isCluster ? (client as Cluster).nodes("master") : [client as Redis];
  let deleted = 0;
  for (const node of nodes) {
    let cursor = "0";
    do {
      const [next, keys] = await node.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
      cursor = next;
      // One DEL per key: on a Cluster the keys of one page span slots.
      for (const key of keys) deleted += await node.del(key);
    } while (cursor !== "0");
  }
  return deleted;
}

/** Counts the keys under `prefix` (SCAN, tests only). */
export async function countPrefix(client: Redis | Cluster, prefix: string): Promise<string[]> {
  const nodes = client.isCluster ? (client as Cluster).nodes("master") : [client as Redis];
  const found: string[] = [];
  for (const node of nodes) {
    let cursor = "0";
    do {
      const [next, keys] = await node.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
      cursor = next;
      found.push(...keys);
    } while (cursor !== "0");
  }
  return found.sort();
}

/**
 * A checkpoint with `values` as channel values, its id after `after` (the
 * suite's factory), each channel at a version of its own, as the saver's
 * `getNextVersion` gives: put it with {@link newVersionsOf} to store them.
 */
export function makeCheckpoint(values: Record<string, unknown> = {}, after?: string): Checkpoint {
  const checkpoint = suiteCheckpoint(values, undefined, newCheckpointId(after)).checkpoint;
  for (const channel of Object.keys(checkpoint.channel_versions)) {
    checkpoint.channel_versions[channel] = nextUniqueVersion(undefined);
  }
  return checkpoint;
}

/** Every channel of `checkpoint` as new: `put`'s `newVersions` for a checkpoint of {@link makeCheckpoint}. */
export function newVersionsOf(checkpoint: Checkpoint): ChannelVersions {
  return { ...checkpoint.channel_versions };
}

export { makeMetadata };

/** A config for thread `threadId` (and namespace / checkpoint). */
export function cfg(threadId: string, checkpointId?: string, ns?: string): RunnableConfig {
  return {
    configurable: {
      thread_id: threadId,
      ...(ns === undefined ? {} : { checkpoint_ns: ns }),
      ...(checkpointId === undefined ? {} : { checkpoint_id: checkpointId }),
    },
  };
}

/** Ids the conformance suite calls hostile: everything that could break a key or a hash tag. */
export const HOSTILE_IDS: readonly string[] = [
  "a",
  "ab",
  "a:b",
  "a*",
  "*",
  "?",
  "[a]",
  "{a}",
  "{",
  "}",
  "}{",
  "a{b}c",
  "x:{y}:idx",
  "' OR 1=1; --",
  '"quoted"',
  "50%_off",
  "line\nbreak",
  "tab\tand space",
  "emoji 🚀🎉",
  "nul\u0000byte",
  "\\backslash",
  "é",
  "x".repeat(4096),
  "🚀".repeat(1024),
];

/** Collects an async iterable. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}
