import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { PGlite } from "@electric-sql/pglite";
import { StorageError, StorageUnavailableError } from "@savepoint/core";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_DATA_DIR, PostgresSaver } from "../src/index.js";
import { client, DATABASE_URL, pglite, postgresUp, randomName } from "./fixtures.js";
import { chain, checkpoint, meta, threadId } from "./saver-cases.js";

const PASSWORD = "hunter2-s3cr3t-pw";

let pg: PGlite;

beforeAll(async () => {
  pg = await pglite();
});

afterAll(async () => {
  await pg?.close();
});

describe("errors name the database and never a password", () => {
  it("reports a refused connection as StorageUnavailableError with host, port and database", async () => {
    const saver = new PostgresSaver(`postgresql://app:${PASSWORD}@127.0.0.1:1/appdb`);
    const err = await saver.getTuple({ configurable: { thread_id: "t" } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageUnavailableError);
    const message = (err as Error).message;
    expect(message).toContain("127.0.0.1:1/appdb");
    expect(message).not.toContain(PASSWORD);
    expect(inspect(err, { depth: 10 })).not.toContain(PASSWORD);
    expect(JSON.stringify(err)).not.toContain(PASSWORD);
    // A failed start is not cached as success: the next call tries again and fails the same way.
    await expect(saver.setup()).rejects.toBeInstanceOf(StorageUnavailableError);
    await saver.close();
  });

  it("redacts the password of an injected postgres.js client too", async () => {
    const sql = postgres({
      host: "127.0.0.1",
      port: 1,
      database: "x",
      password: PASSWORD,
      onnotice: () => {},
    });
    const err = await new PostgresSaver(sql).setup().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageUnavailableError);
    expect((err as Error).message).toContain("127.0.0.1:1/x");
    expect(inspect(err, { depth: 10 })).not.toContain(PASSWORD);
    await sql.end();
  });

  it("names PGlite when it is closed under the saver", async () => {
    const own = await PGlite.create();
    const saver = new PostgresSaver(own);
    await saver.setup();
    await own.close();
    const err = await saver.getTuple({ configurable: { thread_id: "t" } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageUnavailableError);
    expect((err as Error).message).toContain("in-memory PGlite");
  });

  it("reports a failed statement as StorageError naming the database", async () => {
    const saver = new PostgresSaver(pg, { schema: "sabotaged" });
    await saver.setup();
    await pg.exec('DROP TABLE "sabotaged".writes');
    const [config] = await chain(saver, threadId(), 1);
    const err = await saver.putWrites(config!, [["a", 1]], "t").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as Error).message).toMatch(
      /in-memory PGlite failed a statement \(SQLSTATE 42P01\)/,
    );
    await saver.close();
  });
});

describe("sources and ownership", () => {
  it("leaves an injected PGlite open on close", async () => {
    const saver = new PostgresSaver(pg);
    await chain(saver, threadId(), 1);
    await saver.close();
    expect(pg.closed).toBe(false);
    expect((await pg.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    await expect(saver.getTuple({ configurable: { thread_id: "t" } })).rejects.toBeInstanceOf(
      StorageUnavailableError,
    );
  });

  it("opens a PGlite data directory, keeps data across reopen, and closes what it opened", async () => {
    const dir = await mkdtemp(join(tmpdir(), "savepoint-pglite-"));
    try {
      const thread = threadId();
      const first = new PostgresSaver(join(dir, "nested", "data"));
      const [config] = await chain(first, thread, 1);
      await first.putWrites(config!, [["a", new Date(3)]], "t");
      await first.end();
      // Reopening the same directory only works if the first saver closed its PGlite.
      const second = new PostgresSaver(join(dir, "nested", "data"));
      const tuple = await second.getTuple({ configurable: { thread_id: thread } });
      expect(tuple?.pendingWrites).toEqual([["t", "a", new Date(3)]]);
      await second.close();
      await second.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('opens in-memory PGlite for "memory://"', async () => {
    const saver = new PostgresSaver("memory://");
    await chain(saver, threadId(), 2);
    await saver.close();
  });

  it("defaults to PGlite under ./.savepoint", () => {
    expect(DEFAULT_DATA_DIR).toBe(".savepoint/pglite");
  });
});

describe.skipIf(!postgresUp)("sources and ownership on a Postgres server", () => {
  const schema = randomName("sp_conn");
  const admin = client();

  afterAll(async () => {
    await admin.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });

  it("leaves an injected postgres.js client open on close", async () => {
    const sql = client();
    const saver = new PostgresSaver(sql, { schema });
    await chain(saver, threadId(), 1);
    await saver.close();
    expect([...(await sql`SELECT 1 AS one`)]).toEqual([{ one: 1 }]);
    await sql.end();
  });

  it("opens and closes its own pool for a URL", async () => {
    const saver = new PostgresSaver(DATABASE_URL, { schema });
    const thread = threadId();
    const config = await saver.put(
      { configurable: { thread_id: thread } },
      checkpoint(),
      meta(),
      {},
    );
    const before =
      await admin`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database()`;
    await saver.close();
    const after =
      await admin`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database()`;
    expect(after[0]!.n).toBeLessThan(before[0]!.n);
    await expect(saver.getTuple(config)).rejects.toBeInstanceOf(StorageUnavailableError);
    const again = new PostgresSaver(DATABASE_URL, { schema });
    expect((await again.getTuple(config))?.checkpoint.id).toBe(config.configurable?.checkpoint_id);
    await again.close();
  });

  it("reports a failed statement on the server as StorageError naming host and database", async () => {
    const own = randomName("sp_sabotage");
    const saver = new PostgresSaver(admin, { schema: own });
    try {
      await saver.setup();
      await admin.unsafe(`DROP TABLE "${own}".checkpoints CASCADE`);
      const err = await saver
        .getTuple({ configurable: { thread_id: "t" } })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StorageError);
      expect((err as Error).message).toMatch(
        /Postgres at 127\.0\.0\.1:5432\/test failed a statement \(SQLSTATE 42P01\)/,
      );
    } finally {
      await admin.unsafe(`DROP SCHEMA IF EXISTS "${own}" CASCADE`);
    }
  });
});
