// LangGraph.js's own checkpoint validation suite
// (@langchain/langgraph-checkpoint-validation), run unchanged against
// PostgresSaver on in-memory PGlite and on the machine's Postgres server:
// the proof that it is a drop-in under LangGraph graphs.
//
// The suite calls vitest's `describe`, `it`, `beforeAll`… as globals. They
// are set on globalThis for this file only (vitest runs each test file in its
// own module context, and `globals` stays off in the shared config), before
// the suite is imported.
import type { PGlite } from "@electric-sql/pglite";
import type { CheckpointSaverTestInitializer } from "@langchain/langgraph-checkpoint-validation";
import { exposeVitestGlobals } from "@savepoint/conformance/langgraph";
import { describe } from "vitest";
import { PostgresSaver } from "../src/index.js";
import { client, pglite, postgresUp, randomName } from "./fixtures.js";

exposeVitestGlobals();
const { validate, deltaChannelHistoryTests } = await import(
  "@langchain/langgraph-checkpoint-validation"
);

/**
 * Every case of `validate` (718, none skipped: the suite's skip lists are
 * keyed by name, and ours names no saver of theirs) and the opt-in
 * `deltaChannelHistoryTests`, against one target. Each checkpointer the suite
 * creates gets a schema of its own on the target's one PGlite or connection,
 * dropped when the suite destroys it: the suite reuses thread ids across
 * blocks and lists across all threads.
 */
function validateOn(target: {
  name: string;
  beforeAll: () => Promise<void>;
  afterAll: () => Promise<void>;
  /** A saver in `schema` on the shared database. */
  saver(schema: string): PostgresSaver;
  /** Drops `schema` and what is in it. */
  drop(schema: string): Promise<void>;
}): void {
  const initializer: CheckpointSaverTestInitializer<PostgresSaver> = {
    checkpointerName: target.name,
    beforeAll: target.beforeAll,
    beforeAllTimeout: 60_000,
    afterAll: target.afterAll,
    createCheckpointer: () => target.saver(randomName("langgraph")),
    async destroyCheckpointer(saver) {
      await saver.close();
      await target.drop(saver.schema);
    },
  };
  validate(initializer);
  deltaChannelHistoryTests(initializer);
}

describe("PGlite", () => {
  let db: PGlite;
  validateOn({
    name: "@savepoint/postgres (PGlite)",
    async beforeAll() {
      db = await pglite();
    },
    async afterAll() {
      await db?.close();
    },
    // An injected PGlite stays open when a saver closes.
    saver: (schema) => new PostgresSaver(db, { schema }),
    drop: async (schema) => {
      await db.exec(`drop schema if exists "${schema}" cascade`);
    },
  });
});

describe.skipIf(!postgresUp)("Postgres server", () => {
  let sql: ReturnType<typeof client>;
  validateOn({
    name: "@savepoint/postgres (server)",
    async beforeAll() {
      sql = client({ max: 1 });
    },
    async afterAll() {
      await sql?.end({ timeout: 5 });
    },
    // One connection for every saver; an injected client stays open.
    saver: (schema) => new PostgresSaver(sql, { schema }),
    drop: async (schema) => {
      await sql.unsafe(`drop schema if exists "${schema}" cascade`);
    },
  });
});
