// A finished script exits by itself: a saver that owns its client (a URL, a
// directory, the default) keeps nothing alive once it is idle, with or
// without close(), the first time and every time after (an existing data
// directory included). A borrowed client is left to its owner.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { DATABASE_URL, postgresUp, randomName } from "./fixtures.js";
import { runScript, type ScriptResult } from "./spawn.js";

const script = fileURLToPath(new URL("./scripts/one-run.ts", import.meta.url));
// Generous: a cold PGlite start on a slow machine takes seconds, not this.
const DEADLINE_MS = Number(process.env.EXIT_DEADLINE_MS ?? 60_000);
const scratch = mkdtempSync(join(tmpdir(), "savepoint-exit-"));
const schema = randomName("sp_exit");

afterAll(async () => {
  rmSync(scratch, { recursive: true, force: true });
  if (postgresUp) {
    const { client } = await import("./fixtures.js");
    const sql = client();
    await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await sql.end();
  }
});

function runOnce(source: string, mode = "", cwd = scratch): Promise<ScriptResult> {
  return runScript(script, [source, schema, mode], { cwd, deadlineMs: DEADLINE_MS });
}

function expectExited(result: ScriptResult, what: string): void {
  expect(
    result.timedOut,
    `${what}: still running after ${DEADLINE_MS} ms (killed)\n${result.stderr}`,
  ).toBe(false);
  expect(result.code, `${what}: exit code\n${result.stderr}`).toBe(0);
  expect(result.stdout).toContain('{"essay":"An essay about cats"}');
}

/** Runs the script twice on one source, one after the other (the second finds the data of the first). */
async function twice(source: string, mode = "", cwd = scratch): Promise<void> {
  for (const run of ["first", "second"]) {
    const result = await runOnce(source, mode, cwd);
    console.log(`[exit] ${source} ${mode || "no close()"} ${run} run: ${Math.round(result.ms)} ms`);
    expectExited(result, `${source} (${mode || "no close()"}, ${run} run)`);
  }
}

describe("a finished script exits by itself", () => {
  it("with a PGlite directory, fresh and then existing, without close()", async () => {
    await twice(join(scratch, "no-close", "pglite"));
  });

  it("with the default directory, fresh and then existing, without close()", async () => {
    const cwd = mkdtempSync(join(scratch, "cwd-"));
    await twice("default", "", cwd);
  });

  it("with a PGlite directory and close(), fresh and then existing", async () => {
    await twice(join(scratch, "close", "pglite"), "close");
  });

  it('with "memory://", without close()', async () => {
    expectExited(await runOnce("memory://"), "memory://");
  });
});

describe.skipIf(!postgresUp)("a finished script on a Postgres server exits by itself", () => {
  it("with a URL, without close(), twice", async () => {
    await twice(DATABASE_URL);
  });

  it("with a URL and close()", async () => {
    expectExited(await runOnce(DATABASE_URL, "close"), "URL with close()");
  });

  it("with a borrowed client, which the saver leaves open for its owner", async () => {
    const result = await runOnce(DATABASE_URL, "borrowed");
    expectExited(result, "borrowed client");
    expect(result.stdout).toContain('{"one":1}');
  });
});
