// New PGlite databases start from the shipped cluster (src/pglite-template.ts):
// only for the PGlite version that made it, falling back to initdb on any
// mismatch or damage, and the database works and persists either way.
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pgliteModule from "@electric-sql/pglite";
import { afterAll, describe, expect, it } from "vitest";
import { PostgresSaver } from "../src/index.js";
import { openPGlite } from "../src/pglite.js";
import { installedPGliteVersion, pgliteTemplate } from "../src/pglite-template.js";

const dirs: string[] = [];
async function newDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "savepoint-template-"));
  dirs.push(dir);
  return join(dir, "data");
}

afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

// A checkpoint put and read back through a saver on the driver's database.
async function roundTrip(
  dataDir: string,
  threadId: string,
  write: boolean,
): Promise<string | undefined> {
  const saver = new PostgresSaver(dataDir);
  try {
    await saver.setup();
    const config = { configurable: { thread_id: threadId, checkpoint_ns: "" } };
    if (write) {
      const checkpoint = {
        v: 4,
        id: "1",
        ts: new Date(0).toISOString(),
        channel_values: { a: 1 },
        channel_versions: { a: 1 },
        versions_seen: {},
      };
      await saver.put(config, checkpoint, { source: "input", step: -1, parents: {} }, { a: 1 });
    }
    return (await saver.getTuple(config))?.checkpoint.id;
  } finally {
    await saver.close();
  }
}

describe("PGlite's shipped cluster", () => {
  it("matches the installed PGlite (after an upgrade: pnpm --filter @savepoint/postgres make:pglite-template)", async () => {
    expect(await installedPGliteVersion()).toBeDefined();
    expect(await pgliteTemplate()).toBeInstanceOf(Blob);
  });

  it("starts a new directory, which then persists and reopens as an existing one", async () => {
    const dataDir = await newDir();
    const first = await openPGlite(pgliteModule, dataDir, "test PGlite");
    expect(first.startedFrom).toBe("template");
    expect(await first.query("SELECT current_database() AS db")).toEqual([{ db: "postgres" }]);
    await first.close();
    expect(await roundTrip(dataDir, "t", true)).toBe("1");
    const again = await openPGlite(pgliteModule, dataDir, "test PGlite");
    expect(again.startedFrom).toBe("existing");
    await again.close();
    expect(await roundTrip(dataDir, "t", false)).toBe("1");
  });

  it("starts an in-memory database too", async () => {
    const db = await openPGlite(pgliteModule, undefined, "in-memory PGlite");
    expect(db.startedFrom).toBe("template");
    expect(await db.query("SELECT 1 AS one")).toEqual([{ one: 1 }]);
    await db.close();
  });

  it("is not used for another PGlite version, nor when damaged: initdb as before", async () => {
    const dir = await mkdtemp(join(tmpdir(), "savepoint-manifest-"));
    dirs.push(dir);
    await writeFile(join(dir, "cluster.tar.br"), "not brotli");
    await writeFile(
      join(dir, "other.json"),
      JSON.stringify({ pglite: "0.0.1", file: "cluster.tar.br" }),
    );
    await writeFile(
      join(dir, "damaged.json"),
      JSON.stringify({ pglite: await installedPGliteVersion(), file: "cluster.tar.br" }),
    );
    expect(await pgliteTemplate({ manifest: join(dir, "other.json") })).toBeUndefined();
    expect(await pgliteTemplate({ manifest: join(dir, "damaged.json") })).toBeUndefined();
    expect(await pgliteTemplate({ manifest: join(dir, "missing.json") })).toBeUndefined();
  });

  it("falls back to initdb, in a clean directory, when PGlite refuses the cluster", async () => {
    const dataDir = await newDir();
    const db = await openPGlite(
      pgliteModule,
      dataDir,
      "test PGlite",
      async () => new Blob(["not a tar"]),
    );
    expect(db.startedFrom).toBe("initdb");
    // The same database a cluster from the template opens on.
    expect(await db.query("SELECT current_database() AS db")).toEqual([{ db: "postgres" }]);
    await db.close();
    expect(await roundTrip(dataDir, "u", true)).toBe("1");
  });

  it("leaves a directory that already holds files to PGlite as it is", async () => {
    const dataDir = await newDir();
    const made = await openPGlite(pgliteModule, dataDir, "test PGlite", async () => undefined);
    expect(made.startedFrom).toBe("initdb");
    await made.close();
    expect((await readdir(dataDir)).length).toBeGreaterThan(0);
    const reopened = await openPGlite(pgliteModule, dataDir, "test PGlite");
    expect(reopened.startedFrom).toBe("existing");
    await reopened.close();
  });
});
