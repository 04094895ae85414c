import {
  CorruptValueError,
  checkpointsToKeep,
  checkThreadId,
  type PruneResult,
  quote,
  runDepthOf,
  type StoredCheckpointLink,
} from "@savepoint/core";
import type { Connection } from "./connection.js";
import { fromHex, SEP, type ThreadKeys, toHex } from "./keys.js";
import { readRecordHeader } from "./records.js";
import { RETENTION_SCRIPTS } from "./retention-lua.js";
import type { TupleReader } from "./tuples.js";
import { locate } from "./tuples.js";

// `prune`: what stays is decided in TypeScript, what goes is removed by one
// script in the thread's slot.
//
// Which checkpoints a namespace keeps depends on its head's run (core's
// `checkpointsToKeep`: the newest N, and the head with the ancestors its run
// under way replays from). The run depth is inside the head's `__run__`
// channel value, which only the serializer can decode, so a script cannot
// decide alone. The plan is made from one read of the thread's links (each
// checkpoint's parent, from its record's header line) and of each head
// worth pruning; the script then removes what the plan names only if every
// namespace's head is still the one planned from, all in one step. A put
// that lands meanwhile makes the script refuse, and the plan is made once
// more; a thread written to through both attempts is left as it is this
// time. Either way a checkpoint written while pruning is never removed: the
// plan names only checkpoints that were older than the head it read.

/** What one namespace loses: its head when planned, and the cids (hex) to remove. */
export interface NamespacePlan {
  nsHex: string;
  headHex: string;
  remove: string[];
}

/** A thread's prune plan; `stored` is false when the thread has no checkpoint at all. */
export interface PrunePlan {
  stored: boolean;
  namespaces: NamespacePlan[];
}

/**
 * Plans and runs prunes of one saver's threads.
 *
 * @example
 * ```ts
 * const pruner = new Pruner(connection, reader, (id) => threadKeys("savepoint", id));
 * await pruner.prune(["t1"], 1); // { threads: 1, checkpoints: 4 }
 * ```
 */
export class Pruner {
  constructor(
    private readonly connection: Connection,
    /** Reads heads without refreshing anything (pruning is not a read of the user's). */
    private readonly reader: TupleReader,
    private readonly keysOf: (threadId: string) => ThreadKeys,
  ) {}

  /** Prunes each thread to `keep` newest checkpoints per namespace (and its run under way). */
  async prune(threadIds: readonly string[], keep: number): Promise<PruneResult> {
    const result: PruneResult = { threads: 0, checkpoints: 0 };
    for (const threadId of threadIds) checkThreadId(threadId, "prune");
    for (const threadId of threadIds) {
      const keys = this.keysOf(threadId);
      for (let attempt = 0; attempt < 2; attempt++) {
        const plan = await this.plan(keys, threadId, keep);
        if (!plan.stored) break;
        if (attempt === 0) result.threads++;
        if (plan.namespaces.length === 0) break;
        const [status, removed] = (await this.connection.run(
          "prune",
          RETENTION_SCRIPTS.prune,
          keys,
          planArguments(plan),
        )) as [number, number?];
        if (status === 1) {
          result.checkpoints += removed ?? 0;
          break;
        }
      }
    }
    return result;
  }

  /** The plan of thread `threadId`: per namespace with more than `keep` checkpoints, what goes. */
  async plan(keys: ThreadKeys, threadId: string, keep: number): Promise<PrunePlan> {
    const flat = (await this.connection.run(
      "prune",
      RETENTION_SCRIPTS.links,
      keys,
      [],
    )) as Buffer[];
    const byNamespace = new Map<string, { cidHex: string; member: string; header: string }[]>();
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const member = flat[i]!.toString("utf8");
      const sep = member.indexOf(SEP);
      if (sep < 0) continue;
      const nsHex = member.slice(0, sep);
      let entries = byNamespace.get(nsHex);
      if (!entries) {
        entries = [];
        byNamespace.set(nsHex, entries);
      }
      entries.push({
        cidHex: member.slice(sep + 1),
        member,
        header: flat[i + 1]!.toString("utf8"),
      });
    }
    const namespaces: NamespacePlan[] = [];
    for (const [nsHex, entries] of byNamespace) {
      if (entries.length <= keep) continue;
      // ZRANGE order is hex order: the last entry is the head.
      const headHex = entries[entries.length - 1]!.cidHex;
      const links = entries.map((e) => linkOf(threadId, e.member, e.header));
      const head = await this.reader.read(keys, threadId, fromHex(nsHex), undefined);
      // The head moved on since the links were read: plan from what was read.
      const depth = head && toHex(head.checkpoint.id) === headHex ? runDepthOf(head.checkpoint) : 0;
      const kept = checkpointsToKeep(links, keep, depth);
      kept.add(fromHex(headHex));
      const remove = entries.filter((e) => !kept.has(fromHex(e.cidHex))).map((e) => e.cidHex);
      if (remove.length > 0) namespaces.push({ nsHex, headHex, remove });
    }
    return { stored: byNamespace.size > 0, namespaces };
  }
}

/**
 * A plan as the scripts take it (see prune_plan in retention-lua.ts).
 *
 * @example
 * ```ts
 * planArguments({ stored: true, namespaces: [{ nsHex: "", headHex: "63", remove: ["61", "62"] }] });
 * // ["1", "", "63", "2", "61", "62"]
 * ```
 */
export function planArguments(plan: PrunePlan): string[] {
  const args = [String(plan.namespaces.length)];
  for (const { nsHex, headHex, remove } of plan.namespaces) {
    args.push(nsHex, headHex, String(remove.length), ...remove);
  }
  return args;
}

// A checkpoint's link from its record's header line ("" when the record is
// gone: it has no parent to follow). A damaged header is reported as reads
// report it, rather than pruning from a history that may be wrong.
function linkOf(threadId: string, member: string, header: string): StoredCheckpointLink {
  const at = locate(threadId, member);
  const id = at.checkpointId!;
  if (header === "") return { id, parentId: undefined };
  const where = { ...at, part: "checkpoint" };
  const { format, fields } = readRecordHeader(Buffer.from(`${header}\n`), where, [1, 2]);
  const parent = format === 2 ? fields[1] : fields[0];
  if (parent !== null && typeof parent !== "string") {
    throw new CorruptValueError(`a checkpoint record header ${quote([format, ...fields])}`, {
      where,
    });
  }
  return { id, parentId: parent ?? undefined };
}
