// Workflows and storage probes the retention tests share. The probes read
// MemoryStorage directly, so a test sees what is really kept, not only what
// the saver under test reports.
import {
  channelVersionKey,
  defaultSerializer,
  entrypoint,
  interrupt,
  type SerializerProtocol,
  task,
} from "@savepoint/core";
import type { MemorySaver, MemoryStorage } from "../src/index.js";

export const configFor = (threadId: string) => ({ configurable: { thread_id: threadId } });

let sequence = 0;
/** A thread id no other test uses. */
export const threadId = (label: string) =>
  `${label}-${++sequence}-${Math.random().toString(36).slice(2)}`;

/** One run per invoke, no pause: each call adds a finished run's checkpoints. */
export function finishedFlow(saver: MemorySaver, name = "finished") {
  const runs = { step: 0 };
  const step = task("step", async (n: number) => {
    runs.step++;
    return { n: n + 1, text: `value ${n}`.repeat(4) };
  });
  const workflow = entrypoint({ name, checkpointer: saver }, async (n: number) => step(n));
  return { workflow, runs };
}

/** Three tasks and two pauses: a run under way spans several checkpoints. */
export function reviewFlow(saver: MemorySaver, name = "review") {
  const runs = { step: 0 };
  const step = task("step", async (n: number) => {
    runs.step++;
    return n + 1;
  });
  const workflow = entrypoint({ name, checkpointer: saver }, async (n: number) => {
    const a = await step(n);
    const first = interrupt(`first after ${a}`);
    const b = await step(a * 10);
    const second = interrupt(`second after ${b}`);
    const c = await step(b * 10);
    return { a, b, c, first, second };
  });
  return { workflow, runs };
}

/** A workflow whose task waits until `release()`: its thread stays "running". */
export function heldFlow(saver: MemorySaver) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const hold = task("hold", async () => {
    await gate;
    return "released";
  });
  const workflow = entrypoint({ name: "held", checkpointer: saver }, async (_: string) => hold());
  return { workflow, release: () => release() };
}

/** Waits (a few ms at a time, bounded) until `ready()` holds. */
export async function until(ready: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !ready(); i++) await new Promise((r) => setTimeout(r, 2));
  if (!ready()) throw new Error("the condition never held");
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Savepoint's serializer behind a wrapper the saver does not recognise: it
 * stores values as [type, bytes] and decodes them with awaits, the slow path.
 */
export const bytesSerde: SerializerProtocol = {
  dumpsTyped: (value) => defaultSerializer.dumpsTyped(value),
  loadsTyped: (type, data) => defaultSerializer.loadsTyped(type, data),
};

/** The root namespace of a thread as storage holds it. */
export function rootOf(storage: MemoryStorage, id: string) {
  return storage.threads.get(id)?.get("");
}

/** The (channel, version) keys the namespace's checkpoints list (values stored as JSON text). */
export function referencedKeys(storage: MemoryStorage, id: string, ns = ""): Set<string> {
  const keys = new Set<string>();
  for (const stored of storage.threads.get(id)?.get(ns)?.checkpoints.values() ?? []) {
    const { channel_versions } = JSON.parse(stored.checkpoint as string) as {
      channel_versions: Record<string, string>;
    };
    for (const [channel, version] of Object.entries(channel_versions))
      keys.add(channelVersionKey(channel, version));
  }
  return keys;
}

/** Every checkpoint id of the thread's root namespace, oldest first. */
export const idsOf = (storage: MemoryStorage, id: string) => [...(rootOf(storage, id)?.ids ?? [])];
