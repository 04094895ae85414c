// Small helpers the programs share.

/** `{ configurable: { thread_id } }`, plus a checkpoint id when given. */
export function threadConfig(threadId: string, checkpointId?: string) {
  return {
    configurable: {
      thread_id: threadId,
      ...(checkpointId === undefined ? {} : { checkpoint_id: checkpointId }),
    },
  };
}

/** Every item of an async iterable, in order. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
