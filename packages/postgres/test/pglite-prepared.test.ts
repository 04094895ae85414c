// PGlite statements prepared once and reused (src/pglite-prepared.ts): the
// rows read exactly as query() gives them, a user's DEALLOCATE ALL on a
// shared instance is survived, a failed statement leaves the session usable,
// a transaction's prepared statements roll back with it, and past the cap
// statements go unprepared.
import * as pgliteModule from "@electric-sql/pglite";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PGliteDriver } from "../src/pglite.js";
import { PGlitePrepared } from "../src/pglite-prepared.js";

let pg: PGlite;
let driver: PGliteDriver;

beforeAll(async () => {
  pg = await PGlite.create();
  driver = new PGliteDriver(pg, false, "in-memory PGlite", pgliteModule);
  await pg.exec(
    "CREATE TABLE kv (k text PRIMARY KEY, v bytea, j jsonb, n bigint, f float8, b bool)",
  );
});

afterAll(async () => {
  await pg.close();
});

// What a statement names in pg_prepared_statements, ours or not.
async function preparedNames(): Promise<string[]> {
  const { rows } = await pg.query<{ name: string }>("SELECT name FROM pg_prepared_statements");
  return rows.map((r) => r.name);
}

describe("PGlite prepared statements", () => {
  const insert =
    "INSERT INTO kv (k, v, j, n, f, b) VALUES ($1::text, $2::bytea, $3::text::jsonb, $4::bigint, $5::float8, $6::bool) RETURNING *";
  const select = "SELECT k, v, j, n, f, b, NULL::text AS nothing FROM kv WHERE k = $1::text";

  it("reads every column type as query() does, and prepares each text once", async () => {
    const params = ["a", new Uint8Array([0, 1, 255]), '{"x":[1,"two",null]}', 42, 1.5, true];
    const before = (await preparedNames()).length;
    const inserted = await driver.query(insert, params);
    const viaPrepared = await driver.query(select, ["a"]);
    const viaQuery = (await pg.query(select, ["a"])).rows;
    expect(viaPrepared).toEqual(viaQuery);
    expect(inserted).toHaveLength(1);
    expect(viaPrepared[0]).toMatchObject({
      k: "a",
      j: { x: [1, "two", null] },
      b: true,
      nothing: null,
    });
    expect(Array.from(viaPrepared[0]!.v as Uint8Array)).toEqual([0, 1, 255]);
    await driver.query(select, ["a"]);
    expect((await preparedNames()).length - before).toBe(2);
  });

  it("prepares again after the user deallocates everything on a shared instance", async () => {
    await driver.query(select, ["a"]);
    await pg.exec("DEALLOCATE ALL");
    expect(await preparedNames()).toEqual([]);
    const rows = await driver.query(select, ["a"]);
    expect(rows[0]).toMatchObject({ k: "a" });
    expect((await preparedNames()).length).toBe(1);
  });

  it("reports a failed statement and keeps the session usable", async () => {
    const params = ["dup", null, null, null, null, null];
    await driver.query(insert, params);
    const err = await driver.query(insert, params).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/SQLSTATE 23505/);
    expect(await driver.query(select, ["dup"])).toHaveLength(1);
    expect(pg.isInTransaction()).toBe(false);
  });

  it("rolls back what a failed transaction wrote through prepared statements", async () => {
    const params = ["rolled", null, null, 1, null, null];
    const err = await driver
      .transaction(async (tx) => {
        await tx.query(insert, params);
        expect(await tx.query(select, ["rolled"])).toHaveLength(1);
        throw new Error("stop");
      })
      .catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/stop$/);
    expect(await driver.query(select, ["rolled"])).toEqual([]);
  });

  it("sends statements past the cap unprepared", async () => {
    const own = await PGlite.create();
    try {
      const prepared = new PGlitePrepared(own, pgliteModule, 1);
      expect(prepared.accepts("SELECT 1")).toBe(true);
      await prepared.query("SELECT 1 AS one", [], false);
      expect(prepared.accepts("SELECT 1 AS one")).toBe(true);
      expect(prepared.accepts("SELECT 2 AS two")).toBe(false);
    } finally {
      await own.close();
    }
  });
});
