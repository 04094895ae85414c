import { randomUUID } from "node:crypto";
import {
  type CheckpointSaver,
  entrypoint,
  interrupt,
  type ThreadTtl,
  type ThreadUpdate,
  task,
} from "@savepoint/core";
import type { Cluster, Redis } from "ioredis";
import {
  type IdleKeys,
  idleKeys,
  RedisSaver,
  type ThreadKeys,
  threadKeys,
} from "../../src/index.js";
import type { BehaviourTarget } from "../behaviour/context.js";
import { cfg, makeCheckpoint, makeMetadata, newVersionsOf } from "../helpers.js";

/**
 * What the retention tests share: a client on the target (set in the suite's
 * `beforeAll`), and storages: each a fresh prefix, so a sweep sees only that
 * test's threads. Savers and clients a test opens are released afterwards.
 */
export interface RetentionContext {
  target: BehaviourTarget;
  client: Redis | Cluster;
  /** Fresh storage under its own prefix. */
  storage(): Storage;
  thread(label?: string): string;
}

/** One prefix: savers over it, and its raw keys. */
export interface Storage {
  readonly prefix: string;
  readonly idle: IdleKeys;
  /** A saver on the shared client. */
  saver(ttl?: ThreadTtl | { seconds: number; refreshOnRead?: boolean }): RedisSaver;
  /** A saver on a client of its own (another process, as far as Redis can tell). */
  ownSaver(ttl?: ThreadTtl): Promise<RedisSaver>;
  keys(threadId: string): ThreadKeys;
}

/** Makes the storage factory of one suite; `release` closes what it opened. */
export function storages(ctx: Pick<RetentionContext, "client" | "target">) {
  const prefixes: string[] = [];
  const clients: (Redis | Cluster)[] = [];
  const storage = (): Storage => {
    const prefix = `sptest-retention-${randomUUID().slice(0, 12)}`;
    prefixes.push(prefix);
    return {
      prefix,
      idle: idleKeys(prefix),
      saver: (ttl) => new RedisSaver(ctx.client, { prefix, ttl }),
      async ownSaver(ttl) {
        const client = await ctx.target.client();
        clients.push(client);
        return new RedisSaver(client, { prefix, ttl });
      },
      keys: (threadId) => threadKeys(prefix, threadId),
    };
  };
  return {
    storage,
    prefixes,
    async release() {
      await Promise.all(clients.map((c) => ctx.target.release(c)));
    },
  };
}

/**
 * An interview: before each question a task writes it down, then the run
 * pauses for the answer. `runs` counts each task body that ran.
 */
export function interview(saver: CheckpointSaver, name = `interview-${randomUUID().slice(0, 8)}`) {
  const runs: Record<string, number> = {};
  const ask = task("ask", async (question: string) => {
    runs[question] = (runs[question] ?? 0) + 1;
    return `Q: ${question}?`;
  });
  const workflow = entrypoint(
    { name, checkpointer: saver },
    async (input: { questions: string[] }) => {
      const answers: unknown[] = [];
      for (const question of input.questions) {
        const asked = await ask(question);
        answers.push({ asked, answer: interrupt({ asked }) });
      }
      return { answers };
    },
  );
  return { name, workflow, runs };
}

/** The runtime's config of a thread's latest checkpoint. */
export const on = (threadId: string) => ({ configurable: { thread_id: threadId } });

/** Puts one checkpoint on `threadId` with a thread update (a run's record); its id. */
export async function putRecorded(
  saver: RedisSaver,
  threadId: string,
  update: ThreadUpdate,
  parent?: string,
): Promise<string> {
  const c = makeCheckpoint({ threadId }, parent);
  await saver.put(cfg(threadId, parent), c, makeMetadata(), newVersionsOf(c), { thread: update });
  return c.id;
}

/** A sweep time at which everything written so far is idle longer than `idleMs`. */
export const afterIdle = (idleMs: number) => Date.now() + idleMs + 1_000;

/** PTTL of every existing key of a thread (-2 left out: the key does not exist). */
export async function ttlsOf(client: Redis | Cluster, keys: ThreadKeys): Promise<number[]> {
  const all = await Promise.all(keys.all.map((k) => client.pttl(k)));
  return all.filter((t) => t !== -2);
}
