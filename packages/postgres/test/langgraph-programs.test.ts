// Real LangGraph graphs (chat, tools, interrupts, Send, subgraphs, time
// travel, parallel branches, history) with PostgresSaver as their
// checkpointer, on in-memory PGlite and on the machine's Postgres server,
// each compared with the same program on LangGraph's own MemorySaver.
import type { PGlite } from "@electric-sql/pglite";
import { describeLangGraphPrograms } from "@savepoint/conformance/langgraph";
import { PostgresSaver } from "../src/index.js";
import { client, pglite, postgresUp, randomName } from "./fixtures.js";

let db: PGlite | undefined;
describeLangGraphPrograms({
  name: "PostgresSaver (PGlite)",
  async beforeAll() {
    db = await pglite();
  },
  async afterAll() {
    await db?.close();
  },
  // An injected PGlite stays open when the saver closes.
  create: () => new PostgresSaver(db!, { schema: randomName("programs") }),
  destroy: (saver) => saver.close(),
});

const serverSchema = randomName("programs");
describeLangGraphPrograms({
  name: "PostgresSaver (server)",
  skip: !postgresUp,
  // A saver that opens its own pool from the URL, as most users will.
  create: () =>
    new PostgresSaver(process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test", {
      schema: serverSchema,
    }),
  destroy: (saver) => saver.close(),
  async afterAll() {
    const sql = client({ max: 1 });
    try {
      await sql.unsafe(`drop schema if exists "${serverSchema}" cascade`);
    } finally {
      await sql.end({ timeout: 5 });
    }
  },
});
