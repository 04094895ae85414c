import type { PGlite } from "@electric-sql/pglite";
import { defaultSerializer, InvalidArgumentError, SchemaVersionError } from "@savepoint/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDriver, planSource } from "../src/driver.js";
import { keyOf, nsKeyOf } from "../src/identifiers.js";
import { MIGRATIONS, PostgresSaver, SCHEMA_VERSION } from "../src/index.js";
import { migrate } from "../src/migrations.js";
import { statements } from "../src/statements.js";
import { resolveTimeouts } from "../src/timeouts.js";
import { ValueCodec } from "../src/values.js";
import { client, pglite, postgresUp, randomName } from "./fixtures.js";
import { chain, checkpoint, meta, threadId } from "./saver-cases.js";

let pg: PGlite;

beforeAll(async () => {
  pg = await pglite();
});

afterAll(async () => {
  await pg?.close();
});

async function count(db: PGlite, text: string): Promise<number> {
  return (await db.query<{ n: number }>(text)).rows[0]!.n;
}

describe("migrations on PGlite", () => {
  it("creates the tables in the configured schema and records the version", async () => {
    const saver = new PostgresSaver(pg, { schema: "custom_schema" });
    await saver.setup();
    await saver.setup();
    const tables = await pg.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'custom_schema' ORDER BY 1",
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual([
      "channel_values",
      "checkpoints",
      "heads",
      "migrations",
      "threads",
      "writes",
    ]);
    const versions = await pg.query<{ version: number }>(
      'SELECT version FROM "custom_schema".migrations',
    );
    expect(versions.rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.at(-1)!.version);
    await saver.close();
  });

  it("refuses a schema name that is not a plain identifier", () => {
    for (const schema of ['x"; drop table y; --', "", "1abc", "a".repeat(64), "a b"]) {
      expect(() => new PostgresSaver(pg, { schema })).toThrow(InvalidArgumentError);
    }
  });

  it("refuses, with no writes, a database migrated by a newer release", async () => {
    const schema = "from_the_future";
    const old = new PostgresSaver(pg, { schema });
    const [config] = await chain(old, threadId(), 1);
    await old.close();
    await pg.query(`INSERT INTO "${schema}".migrations (version, name) VALUES (999, 'future')`);
    const before = await count(pg, `SELECT count(*)::int AS n FROM "${schema}".checkpoints`);

    const saver = new PostgresSaver(pg, { schema });
    const err = await saver.put(config!, checkpoint(), meta(), {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SchemaVersionError);
    const message = (err as Error).message;
    expect(message).toContain("version 999");
    expect(message).toContain(`up to ${SCHEMA_VERSION}`);
    expect(message).toContain("upgrade @savepoint/postgres");
    await expect(saver.putWrites(config!, [["a", 1]], "t")).rejects.toBeInstanceOf(
      SchemaVersionError,
    );
    await expect(saver.getTuple(config!)).rejects.toBeInstanceOf(SchemaVersionError);
    await expect(saver.setup()).rejects.toBeInstanceOf(SchemaVersionError);
    expect(await count(pg, `SELECT count(*)::int AS n FROM "${schema}".checkpoints`)).toBe(before);
    expect(await count(pg, `SELECT count(*)::int AS n FROM "${schema}".writes`)).toBe(0);
    await saver.close();
  });

  it("reads rows written before channel values were stored apart, and continues their threads", async () => {
    const saver = new PostgresSaver(pg, { schema: "inline_rows" });
    await saver.setup();
    const thread = threadId();
    const parent = checkpoint({ topic: "cats", count: 1 });
    // A row as migration 1 stored it: channel_values inline, no channel_versions.
    const [type, text] = await new ValueCodec(defaultSerializer).encode(parent);
    await pg.query(
      `INSERT INTO "inline_rows".checkpoints (thread_key, ns_key, checkpoint_id, thread_id, checkpoint_ns, type, checkpoint, metadata)
       VALUES ($1, $2, $3, $4, '', $5, $6, '{}'::jsonb)`,
      [keyOf(thread), nsKeyOf(""), parent.id, thread, type, text],
    );
    const config = {
      configurable: { thread_id: thread, checkpoint_ns: "", checkpoint_id: parent.id },
    };
    expect((await saver.getTuple(config))?.checkpoint).toEqual(parent);
    // A new saver sees the inline row, so its child keeps every channel.
    await saver.close();
    const next = new PostgresSaver(pg, { schema: "inline_rows" });
    const child = { ...checkpoint({}, parent.id), channel_values: { topic: "cats", count: 2 } };
    child.channel_versions = { ...parent.channel_versions, count: "2" };
    const c2 = await next.put(config, child, meta(), { count: "2" });
    expect((await next.getTuple(c2))?.checkpoint.channel_values).toEqual({
      topic: "cats",
      count: 2,
    });
    await next.deleteThread(thread);
    expect(await count(pg, `SELECT count(*)::int AS n FROM "inline_rows".channel_values`)).toBe(0);
    await next.close();
  });

  it("reads a thread through its indexes, never by scanning other threads", async () => {
    const saver = new PostgresSaver(pg, { schema: "plans" });
    await saver.setup();
    const q = statements('"plans"');
    const key = "'\\x00112233445566778899aabbccddeeff'::bytea";
    const plans: Record<string, string> = {
      latest: q.latestTuple,
      byId: q.tupleById,
      head: q.head,
      deleteThread: q.deleteThread,
    };
    await pg.exec("SET enable_seqscan = off");
    try {
      for (const [name, text] of Object.entries(plans)) {
        const bound = text
          .replace(/\$[12]::bytea/g, key)
          .replace(/\$\d+::text/g, "'x'")
          .replace(/\$\d+::int/g, "1");
        const plan = await pg.query<{ "QUERY PLAN": string }>(`EXPLAIN ${bound}`);
        const lines = plan.rows.map((r) => r["QUERY PLAN"]).join("\n");
        expect(lines, name).not.toMatch(/Seq Scan/);
      }
    } finally {
      await pg.exec("RESET enable_seqscan");
    }
    await saver.close();
  });

  it("migrates a database at version 2: its threads get records from their next run", async () => {
    const schema = "at_version_2";
    const driver = await openDriver(planSource(pg), resolveTimeouts(undefined));
    expect(await migrate(driver, schema, MIGRATIONS.slice(0, 2))).toBe(2);
    await driver.close();
    const old = new PostgresSaver(pg, { schema });
    // The migration runs on first use, so write the old thread by hand.
    const thread = threadId();
    const first = checkpoint({ topic: "cats" });
    const [type, text] = await new ValueCodec(defaultSerializer).encode({
      ...first,
      channel_values: {},
    });
    await pg.query(
      `INSERT INTO "${schema}".checkpoints (thread_key, ns_key, checkpoint_id, thread_id, checkpoint_ns, type, checkpoint, metadata, channel_versions)
       VALUES ($1, $2, $3, $4, '', $5, $6, '{}'::jsonb, '{}'::jsonb)`,
      [keyOf(thread), nsKeyOf(""), first.id, thread, type, text],
    );
    await pg.query(`INSERT INTO "${schema}".heads VALUES ($1, $2, $3)`, [
      keyOf(thread),
      nsKeyOf(""),
      first.id,
    ]);
    await old.setup();
    const versions = await pg.query<{ version: number }>(
      `SELECT version FROM "${schema}".migrations ORDER BY version`,
    );
    expect(versions.rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(await old.listThreads({ entrypoint: "wf", limit: 10 })).toEqual([]);
    const config = {
      configurable: { thread_id: thread, checkpoint_ns: "", checkpoint_id: first.id },
    };
    const next = checkpoint({}, first.id);
    await old.put(
      config,
      next,
      meta(),
      {},
      {
        ifHead: first.id,
        thread: { entrypoint: "wf", status: "done" },
      },
    );
    const listed = await old.listThreads({ entrypoint: "wf", limit: 10 });
    expect(listed.map((t) => [t.threadId, t.status, t.checkpointId])).toEqual([
      [thread, "done", next.id],
    ]);
    await old.close();
  });

  it("migrates a database at version 3: idle clocks start at the migration, and sweeps see them", async () => {
    const schema = "at_version_3";
    const driver = await openDriver(planSource(pg), resolveTimeouts(undefined));
    expect(await migrate(driver, schema, MIGRATIONS.slice(0, 3))).toBe(3);
    await driver.close();
    const thread = threadId();
    const first = checkpoint({});
    const [type, text] = await new ValueCodec(defaultSerializer).encode(first);
    await pg.query(
      `INSERT INTO "${schema}".checkpoints (thread_key, ns_key, checkpoint_id, thread_id, checkpoint_ns, type, checkpoint, metadata, channel_versions)
       VALUES ($1, $2, $3, $4, '', $5, $6, '{}'::jsonb, '{}'::jsonb)`,
      [keyOf(thread), nsKeyOf(""), first.id, thread, type, text],
    );
    await pg.query(`INSERT INTO "${schema}".heads VALUES ($1, $2, $3)`, [
      keyOf(thread),
      nsKeyOf(""),
      first.id,
    ]);
    const before = Date.now();
    const saver = new PostgresSaver(pg, { schema, ttl: { idle: "1h" } });
    await saver.setup();
    const clock = async () =>
      Number(
        (
          await pg.query<{ at: number }>(
            `SELECT last_write_at::float8 AS at FROM "${schema}".heads WHERE thread_key = $1`,
            [keyOf(thread)],
          )
        ).rows[0]!.at,
      );
    expect(await clock()).toBeGreaterThanOrEqual(before - 1_000);
    expect(await clock()).toBeLessThanOrEqual(Date.now() + 1_000);
    expect(await saver.sweep({ now: Date.now() + 30 * 60_000 })).toEqual({
      deleted: 0,
      pruned: 0,
      more: false,
    });
    expect(await saver.sweep({ now: Date.now() + 2 * 3_600_000 })).toEqual({
      deleted: 1,
      pruned: 0,
      more: false,
    });
    await saver.close();
  });

  it("sweeps through the index of idle clocks, probing each thread's own rows, among many", async () => {
    const saver = new PostgresSaver(pg, { schema: "sweep_plans" });
    await saver.setup();
    // 40,000 threads (a tenth waiting on an interrupt) and their statistics.
    await pg.exec(`
INSERT INTO "sweep_plans".heads (thread_key, ns_key, checkpoint_id, last_write_at)
SELECT substring(sha256(i::text::bytea) FROM 1 FOR 16), substring(sha256(''::bytea) FROM 1 FOR 16), 'c', 1000000 + i
FROM generate_series(1, 40000) AS i;
INSERT INTO "sweep_plans".writes (thread_key, ns_key, checkpoint_id, task_key, idx, task_id, channel, type, value)
SELECT substring(sha256(i::text::bytea) FROM 1 FOR 16), substring(sha256(''::bytea) FROM 1 FOR 16), 'c', '\\x00', 0, 't',
  CASE WHEN i % 10 = 0 THEN '__interrupt__' ELSE 'out' END, 'json', '1'
FROM generate_series(1, 40000) AS i;
ANALYZE "sweep_plans".heads; ANALYZE "sweep_plans".writes;`);
    const { sweep } = statements('"sweep_plans"').retention;
    const explain = async (text: string, params: unknown[]) =>
      (await pg.query<{ "QUERY PLAN": string }>(`EXPLAIN ${text}`, params)).rows
        .map((r) => r["QUERY PLAN"])
        .join("\n");
    for (const variant of [sweep.excludingInterrupted, sweep.includingInterrupted]) {
      const candidates = await explain(variant.candidates, [2_000_000, 1_000, "[]", 400, 100]);
      expect(candidates).toMatch(/Index Scan using heads_idle/);
      expect(candidates).not.toMatch(/Seq Scan|hashed/);
      const expired = await explain(variant.expired, ['["00"]', 2_000_000, 1_000]);
      expect(expired).not.toMatch(/Seq Scan|hashed/);
    }
    await saver.close();
  });

  it("finds the first page of a workflow's interrupted threads through an index, among many", async () => {
    const saver = new PostgresSaver(pg, { schema: "thread_plans" });
    await saver.setup();
    // 40,000 records over 4 workflows and every stored status (keyed as the
    // saver keys them), then statistics, so the planner costs a real table.
    await pg.exec(`
INSERT INTO "thread_plans".threads (thread_key, thread_id, entrypoint_key, entrypoint, status, created_at, updated_at, checkpoint_id)
SELECT sha224(i::text::bytea), 't-' || i, substring(sha256(('wf-' || i % 4)::bytea) FROM 1 FOR 16), 'wf-' || i % 4,
  (ARRAY['interrupted', 'running', 'failed', 'done'])[1 + (i / 4) % 4], i, i, 'c'
FROM generate_series(1, 40000) AS i;`);
    const q = statements('"thread_plans"');
    const plan = async (query: Parameters<typeof q.listThreads>[0]["query"]) => {
      const { text, params } = q.listThreads({
        query,
        entrypointKey: keyOf(query.entrypoint),
        threadKey: undefined,
        afterKey: query.after ? keyOf(query.after.threadId) : undefined,
        metadata: undefined,
      });
      const rows = await pg.query<{ "QUERY PLAN": string }>(`EXPLAIN ${text}`, params);
      return rows.rows.map((r) => r["QUERY PLAN"]).join("\n");
    };
    // Before any statistics (PGlite has no autovacuum): the index still
    // serves the page in its own order, with no sort of the table.
    const stale = await plan({ entrypoint: "wf-3", status: ["interrupted"], limit: 50 });
    expect(stale).toMatch(/Index Scan using threads_by_status/);
    expect(stale).not.toMatch(/Seq Scan|Bitmap|Sort/);
    await pg.exec(`ANALYZE "thread_plans".threads;`);
    const first = await plan({ entrypoint: "wf-3", status: ["interrupted"], limit: 50 });
    expect(first).toMatch(/Index Scan using threads_by_status/);
    expect(first).not.toMatch(/Seq Scan|Bitmap|Sort/);
    const next = await plan({
      entrypoint: "wf-3",
      status: ["interrupted"],
      limit: 50,
      after: { updatedAt: 39_000, threadId: "t-39000" },
    });
    expect(next).toMatch(/Index Scan using threads_by_status/);
    const all = await plan({ entrypoint: "wf-3", limit: 50 });
    expect(all).toMatch(/Index Scan using threads_newest/);
    expect(all).not.toMatch(/Seq Scan/);
    await saver.close();
  });
});

describe.skipIf(!postgresUp)("migrations on a Postgres server", () => {
  const schema = randomName("sp_migrate");
  const admin = client();

  afterAll(async () => {
    await admin.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });

  it("applies each step once when 8 processes call setup() at the same moment", async () => {
    const clients = Array.from({ length: 8 }, () => client({ max: 1 }));
    try {
      for (let round = 0; round < 2; round++) {
        const savers = clients.map((sql) => new PostgresSaver(sql, { schema }));
        await Promise.all(savers.map((s) => s.setup()));
        const rows = await admin.unsafe(
          `SELECT version FROM "${schema}".migrations ORDER BY version`,
        );
        expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
        // Every saver can work right away.
        await Promise.all(savers.map((s) => chain(s, threadId(), 1)));
        for (const s of savers) await s.close();
      }
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  });

  it("refuses a newer schema on the server too", async () => {
    const future = randomName("sp_future");
    try {
      await new PostgresSaver(admin, { schema: future }).setup();
      await admin.unsafe(
        `INSERT INTO "${future}".migrations (version, name) VALUES ($1, 'future')`,
        [SCHEMA_VERSION + 1],
      );
      const saver = new PostgresSaver(admin, { schema: future });
      await expect(chain(saver, threadId(), 1)).rejects.toBeInstanceOf(SchemaVersionError);
      const [row] = await admin.unsafe(`SELECT count(*)::int AS n FROM "${future}".checkpoints`);
      expect(row?.n).toBe(0);
    } finally {
      await admin.unsafe(`DROP SCHEMA IF EXISTS "${future}" CASCADE`);
    }
  });
});
