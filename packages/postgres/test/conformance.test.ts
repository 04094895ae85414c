import type { PGlite } from "@electric-sql/pglite";
import { describeSaverConformance, type IsolatedStorage } from "@savepoint/conformance";
import { PostgresSaver } from "../src/index.js";
import { client, pglite, postgresUp, randomName } from "./fixtures.js";

// PGlite: one in-process instance for the whole suite; savers borrow it, so a
// "restarted" saver reads the same storage.
let pg: PGlite | undefined;

describeSaverConformance({
  name: "PostgresSaver on PGlite",
  beforeAll: async () => {
    pg = await pglite();
  },
  afterAll: async () => {
    await pg?.close();
  },
  create: () => new PostgresSaver(pg!),
  destroy: (saver) => (saver as PostgresSaver).close(),
  // A schema of its own per call, on the same PGlite, dropped at the end.
  isolated: async (): Promise<IsolatedStorage<PostgresSaver>> => {
    const schema = randomName("sp_isolated");
    const savers: PostgresSaver[] = [];
    return {
      create: (options) => {
        const saver = new PostgresSaver(pg!, { schema, ttl: options?.ttl });
        savers.push(saver);
        return saver;
      },
      destroy: async () => {
        for (const saver of savers) await saver.close();
        await pg!.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      },
    };
  },
});

// The server: each saver opens its own postgres.js client (as separate
// processes would) in a schema of this file's own, dropped at the end.
const schema = randomName("sp_conformance");
const clients = new WeakMap<PostgresSaver, ReturnType<typeof client>>();

describeSaverConformance({
  name: "PostgresSaver on Postgres",
  skip: !postgresUp,
  create: () => {
    const sql = client({ max: 4 });
    const saver = new PostgresSaver(sql, { schema });
    clients.set(saver, sql);
    return saver;
  },
  destroy: async (saver) => {
    await (saver as PostgresSaver).close();
    await clients.get(saver as PostgresSaver)?.end();
  },
  afterAll: async () => {
    const sql = client({ max: 1 });
    await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await sql.end();
  },
  // A schema of its own per call; each saver on its own client, as separate
  // processes sweeping one database would be.
  isolated: async (): Promise<IsolatedStorage<PostgresSaver>> => {
    const isolated = randomName("sp_isolated");
    const opened: { saver: PostgresSaver; sql: ReturnType<typeof client> }[] = [];
    return {
      create: (options) => {
        const sql = client({ max: 4 });
        const saver = new PostgresSaver(sql, { schema: isolated, ttl: options?.ttl });
        opened.push({ saver, sql });
        return saver;
      },
      destroy: async () => {
        for (const { saver, sql } of opened) {
          await saver.close();
          await sql.end();
        }
        const sql = client({ max: 1 });
        await sql.unsafe(`DROP SCHEMA IF EXISTS "${isolated}" CASCADE`);
        await sql.end();
      },
    };
  },
});
