// PGlite in memory (no data directory): the embedded database without the
// file system underneath, one instance for the anchors and the saver.
// LangGraph.js has no saver for it.
import { PGlite } from "@electric-sql/pglite";
import { PostgresSaver } from "@savepoint/postgres";
import { type AnchorLoop, RAW_INSERT, RAW_TABLE, RAW_VALUE, sqlAnchor } from "../anchors.js";
import { SCHEMA } from "../services.js";
import type { Backend } from "./backend.js";
import { schemaStore } from "./schema-store.js";

async function insertLoop(pg: PGlite): Promise<AnchorLoop> {
  await pg.exec(RAW_TABLE);
  const value = new Uint8Array(RAW_VALUE);
  return async (ops) => {
    const t0 = performance.now();
    for (let i = 0; i < ops; i++) await pg.query(RAW_INSERT, [`k${i}`, value]);
    return performance.now() - t0;
  };
}

export const pglite: Backend = {
  id: "pglite",
  durable: true,
  async open() {
    const pg = await PGlite.create();
    const saver = new PostgresSaver(pg, { schema: SCHEMA });
    await saver.setup();
    const select: AnchorLoop = async (ops) => {
      const t0 = performance.now();
      for (let i = 0; i < ops; i++) await pg.query("SELECT 1");
      return performance.now() - t0;
    };
    return {
      saver: () => saver,
      storeOfItsOwn: (name) => schemaStore(pg, (statement) => pg.exec(statement), name),
      anchor: sqlAnchor(
        "on PGlite",
        { insert: "pgliteInsert", select: "pgliteSelect" },
        () => insertLoop(pg),
        select,
      ),
      close: async () => {
        await saver.close();
        await pg.close();
      },
    };
  },
};
