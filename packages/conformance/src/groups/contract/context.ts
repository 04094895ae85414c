import type {
  Checkpoint,
  CheckpointMetadata,
  CheckpointSaver,
  RunnableConfig,
} from "@savepoint/core";
import { makeCheckpoint, makeMetadata, threadConfig } from "../../fixtures/checkpoints.js";
import type { Harness } from "../../harness.js";

/**
 * What each part of the contract group gets: the group's harness, and
 * `putOne`, which puts one checkpoint (on a namespace, with values and
 * metadata) and returns what it put and the config `put` returned.
 *
 * @example
 * ```ts
 * export function myTests({ h, putOne }: ContractContext): void {
 *   it("puts", async () => { await putOne(h.saver(), h.threadId(), { ns: "sub" }); });
 * }
 * ```
 */
export interface ContractContext {
  /** The contract group's harness. */
  h: Harness;
  /** Puts one checkpoint on `threadId` (namespace `""` unless given). */
  putOne(
    saver: CheckpointSaver,
    threadId: string,
    options?: { ns?: string; values?: Record<string, unknown>; meta?: Record<string, unknown> },
  ): Promise<{ checkpoint: Checkpoint; metadata: CheckpointMetadata; config: RunnableConfig }>;
}

/**
 * The contract group's `putOne`.
 *
 * @example
 * ```ts
 * const { checkpoint, config } = await putOne(saver, threadId, { meta: { user: "ada" } });
 * ```
 */
export async function putOne(
  saver: CheckpointSaver,
  threadId: string,
  options: {
    ns?: string;
    values?: Record<string, unknown>;
    meta?: Record<string, unknown>;
  } = {},
) {
  const { checkpoint, newVersions } = makeCheckpoint(options.values ?? { x: 1 });
  const metadata = makeMetadata(options.meta);
  const config = await saver.put(
    threadConfig(threadId, options.ns ?? ""),
    checkpoint,
    metadata,
    newVersions,
  );
  return { checkpoint, metadata, config };
}
