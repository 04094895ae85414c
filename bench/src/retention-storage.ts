// R1: what one thread stores after N resumes of a workflow whose state
// grows every turn, with `workflow.prune([id], { keep: "latest" })` after
// each resume and without, on each saver; and LangGraph.js's PostgresSaver
// holding the same thread as a StateGraph, in its default durability and
// with `durability: "exit"` (the one option it has to store less short of
// deleteThread: it has no prune).
//
// A turn is a run that adds a line to the thread's list (a task writes the
// line, an interrupt waits for the reviewer's answer) and its resume; the
// list is the run's saved state (`getPreviousState()`), so it is stored
// once per turn as a new version of one channel. Unpruned, every version
// stays: the thread grows with the square of its turns. The sides of one
// store run in lockstep, turn by turn, each on storage of its own (a fresh
// MemoryStorage, schema or key prefix), so what a side's storage holds is
// its thread.
import { PGlite } from "@electric-sql/pglite";
import {
  type BaseCheckpointSaver,
  END,
  Annotation as LgAnnotation,
  Command as LgCommand,
  interrupt as lgInterrupt,
  START,
  StateGraph,
} from "@langchain/langgraph";
import { PostgresSaver as LgPostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import {
  type CheckpointSaver,
  Command,
  entrypoint,
  getPreviousState,
  interrupt,
  task,
} from "@savepoint/core";
import { MemorySaver, MemoryStorage } from "@savepoint/memory";
import { PostgresSaver } from "@savepoint/postgres";
import { RedisSaver } from "@savepoint/redis";
import { Redis } from "ioredis";
import postgres from "postgres";
import { deleteByPrefix } from "./backends/redis.js";
import { fmt, say } from "./log.js";
import type { BackendId } from "./results.js";
import type { RetentionStorageResult } from "./retention-results.js";
import { DATABASE_URL, REDIS_URL } from "./services.js";
import { median } from "./stats.js";
import { memoryBytes, pgliteSchemaBytes, redisPrefixBytes, schemaBytes } from "./stored-bytes.js";
import { countAll } from "./workloads.js";

/** The schemas and key prefixes the study owns (`savepoint_bench*`, see services.ts), removed before and after. */
const NAME = "savepoint_bench_r1";
const THREAD = "r1-thread";
const ANSWER = "approved";

/** One line of the growing state, the same for every side: varied enough that compression does not hide its size. */
export function lineOf(turn: number): string {
  const hex = (m: number) => (Math.imul(turn + 1, m) >>> 0).toString(16).padStart(8, "0");
  return `Turn ${turn}: reviewer note ${hex(2_654_435_761)}${hex(40_503)} on the draft, and the change it asks for.`;
}

/** One side of the study: plays a turn, and reports what its storage holds. */
interface Side {
  saver: string;
  variant: string;
  turn(turn: number): Promise<void>;
  /** Prunes the thread; the side's prune calls are timed. */
  prune?(): Promise<void>;
  bytes(): Promise<number>;
  checkpoints(): Promise<number>;
}

const note = task("note", async (turn: number) => lineOf(turn));

function savepointSide(
  saver: string,
  checkpointer: CheckpointSaver,
  prune: boolean,
  bytes: () => Promise<number>,
): Side {
  const grow = entrypoint({ name: "bench-retention", checkpointer }, async (turn: number) => {
    const items = getPreviousState<string[]>() ?? [];
    const line = await note(turn);
    const answer = interrupt<{ turn: number; line: string }, string>({ turn, line });
    return entrypoint.final({ value: items.length + 1, save: [...items, `${line} ${answer}`] });
  });
  const config = { configurable: { thread_id: THREAD } };
  const side: Side = {
    saver,
    variant: prune ? 'keep: "latest" after each resume' : "no pruning",
    async turn(turn) {
      await grow.invoke(turn, config);
      const items = await grow.invoke(new Command({ resume: ANSWER }), config);
      if (items !== turn + 1)
        throw new Error(`R1 ${saver}: ${String(items)} lines after turn ${turn}`);
    },
    bytes,
    checkpoints: () => countAll(checkpointer.list(config)),
  };
  if (prune) {
    side.prune = async () => {
      await grow.prune([THREAD], { keep: "latest" });
    };
  }
  return side;
}

const GrowState = LgAnnotation.Root({
  turn: LgAnnotation<number>(),
  line: LgAnnotation<string>(),
  items: LgAnnotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
});

// The same thread as a StateGraph: a node writes the line (the task), the
// next waits for the answer and appends it to the list.
function langGraphSide(
  checkpointer: BaseCheckpointSaver,
  durability: "exit" | undefined,
  bytes: () => Promise<number>,
): Side {
  const graph = new StateGraph(GrowState)
    .addNode("note", async (state) => ({ line: lineOf(state.turn) }))
    .addNode("review", async (state) => {
      const answer = lgInterrupt<{ turn: number; line: string }, string>({
        turn: state.turn,
        line: state.line,
      });
      return { items: [`${state.line} ${answer}`] };
    })
    .addEdge(START, "note")
    .addEdge("note", "review")
    .addEdge("review", END)
    .compile({ checkpointer });
  const config = { configurable: { thread_id: THREAD }, ...(durability ? { durability } : {}) };
  return {
    saver: "LangGraph.js PostgresSaver",
    variant: durability ? `durability: "${durability}"` : "default durability",
    async turn(turn) {
      await graph.invoke({ turn }, config);
      const state = await graph.invoke(new LgCommand({ resume: ANSWER }), config);
      if (state.items.length !== turn + 1)
        throw new Error(`R1 LangGraph.js: ${state.items.length} lines after turn ${turn}`);
    },
    bytes,
    checkpoints: () => countAll(checkpointer.list({ configurable: { thread_id: THREAD } })),
  };
}

/** Plays every side `resumes` turns in lockstep, pruning where a side prunes. */
async function play(label: string, sides: Side[], resumes: number) {
  say(
    `R1 ${label}: ${fmt(resumes)} resumes on ${sides.map((s) => `${s.saver} (${s.variant})`).join(", ")}`,
  );
  const tenth = Math.max(1, Math.round(resumes / 10));
  const pruneMs = sides.map(() => [] as number[]);
  const atTenth: number[] = [];
  for (let turn = 0; turn < resumes; turn++) {
    for (const [i, side] of sides.entries()) {
      await side.turn(turn);
      if (side.prune) {
        const t0 = performance.now();
        await side.prune();
        pruneMs[i]!.push(performance.now() - t0);
      }
    }
    if (turn + 1 === tenth) for (const side of sides) atTenth.push(await side.bytes());
  }
  const out: RetentionStorageResult[] = [];
  for (const [i, side] of sides.entries()) {
    const times = pruneMs[i]!;
    const result: RetentionStorageResult = {
      saver: side.saver,
      variant: side.variant,
      pruned: side.prune !== undefined,
      resumes,
      bytesAtTenth: atTenth[i]!,
      bytes: await side.bytes(),
      checkpoints: await side.checkpoints(),
    };
    if (times.length) {
      result.prune = {
        medianMs: median(times),
        minMs: Math.min(...times),
        maxMs: Math.max(...times),
      };
    }
    out.push(result);
  }
  return out;
}

/** Savepoint's two sides on one kind of storage: pruned and not. */
function pair(
  label: string,
  make: (variant: "kept" | "pruned") => { saver: CheckpointSaver; bytes: () => Promise<number> },
): Side[] {
  return (["kept", "pruned"] as const).map((variant) => {
    const { saver, bytes } = make(variant);
    return savepointSide(`Savepoint ${label}`, saver, variant === "pruned", bytes);
  });
}

async function onMemory(resumes: number) {
  return play(
    "memory",
    pair("memory", () => {
      const storage = new MemoryStorage();
      return {
        saver: new MemorySaver({ storage }),
        bytes: async () => memoryBytes(storage.threads),
      };
    }),
    resumes,
  );
}

async function onPglite(resumes: number) {
  const pg = await PGlite.create();
  try {
    const savers: PostgresSaver[] = [];
    const sides = pair("PGlite", (variant) => {
      const saver = new PostgresSaver(pg, { schema: `${NAME}_${variant}` });
      savers.push(saver);
      return { saver, bytes: () => pgliteSchemaBytes(pg, `${NAME}_${variant}`) };
    });
    for (const saver of savers) await saver.setup();
    const out = await play("PGlite", sides, resumes);
    for (const saver of savers) await saver.close();
    return out;
  } finally {
    await pg.close();
  }
}

async function onPostgres(resumes: number) {
  const sql = postgres(DATABASE_URL, { onnotice: () => {}, connect_timeout: 3 });
  const schemas = ["kept", "pruned", "lg", "lg_exit"].map((s) => `${NAME}_${s}`);
  const drop = async () => {
    for (const schema of schemas) await sql.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  };
  const closers: (() => Promise<unknown>)[] = [];
  try {
    await drop();
    const sides = pair("PostgreSQL", (variant) => {
      const saver = new PostgresSaver(sql, { schema: `${NAME}_${variant}` });
      closers.push(() => saver.close());
      return { saver, bytes: () => schemaBytes(sql, `${NAME}_${variant}`) };
    });
    for (const [schema, durability] of [
      [`${NAME}_lg`, undefined],
      [`${NAME}_lg_exit`, "exit"],
    ] as const) {
      await sql.unsafe(`CREATE SCHEMA ${schema}`);
      const lg = LgPostgresSaver.fromConnString(DATABASE_URL, { schema });
      await lg.setup();
      closers.push(() => lg.end());
      sides.push(langGraphSide(lg, durability, () => schemaBytes(sql, schema)));
    }
    return await play("PostgreSQL", sides, resumes);
  } finally {
    for (const close of closers) await close().catch(() => {});
    await drop().catch(() => {});
    await sql.end({ timeout: 5 });
  }
}

async function onRedis(resumes: number) {
  const redis = new Redis(REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 1,
  });
  redis.on("error", () => {});
  const prefixes = ["kept", "pruned"].map((s) => `${NAME}_${s}`);
  try {
    await redis.connect();
    for (const prefix of prefixes) await deleteByPrefix(redis, `${prefix}:*`);
    const sides = pair("Redis", (variant) => ({
      saver: new RedisSaver(redis, { prefix: `${NAME}_${variant}` }),
      bytes: () => redisPrefixBytes(redis, `${NAME}_${variant}`),
    }));
    return await play("Redis", sides, resumes);
  } finally {
    for (const prefix of prefixes) await deleteByPrefix(redis, `${prefix}:*`).catch(() => {});
    redis.disconnect();
  }
}

const ON: Record<BackendId, (resumes: number) => Promise<RetentionStorageResult[]>> = {
  memory: onMemory,
  pglite: onPglite,
  postgres: onPostgres,
  redis: onRedis,
};

/** R1 on one backend (LangGraph.js's sides come with PostgreSQL); throws when its store does not answer. */
export function measureRetentionStorage(
  backend: BackendId,
  resumes: number,
): Promise<RetentionStorageResult[]> {
  return ON[backend](resumes);
}
