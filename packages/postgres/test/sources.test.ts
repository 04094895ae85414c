// What a string source may be: a Postgres URL, "memory://", or a path. A
// string that is none of these is refused where the saver is made, with no
// directory created and no password in any error, whatever its form.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { InvalidArgumentError, StorageUnavailableError } from "@savepoint/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresSaver } from "../src/index.js";

const PASSWORD = "hunter2-s3cr3t";

/** Everything of an error a log or a crash report could show. */
function everythingShown(error: unknown): string {
  const e = error as Error;
  return [
    e.message,
    e.stack ?? "",
    String(e.cause),
    inspect(error, { depth: 10 }),
    JSON.stringify(error) ?? "",
  ].join("\n");
}

function expectNoSecret(error: unknown, secrets: string[]): void {
  const shown = everythingShown(error);
  for (const secret of secrets) expect(shown).not.toContain(secret);
}

let cwd: string;
let scratch: string;

// Refused strings are relative paths too: run in an empty directory, so that
// anything created by mistake is seen (and not left in the package).
beforeAll(() => {
  cwd = process.cwd();
  scratch = mkdtempSync(join(tmpdir(), "savepoint-sources-"));
  process.chdir(scratch);
});

afterAll(() => {
  process.chdir(cwd);
  rmSync(scratch, { recursive: true, force: true });
});

describe("strings that are not what they look like", () => {
  const refused: [string, string][] = [
    [`leading whitespace`, ` postgresql://app:${PASSWORD}@db.internal:5432/app`],
    [`trailing whitespace`, `postgresql://app:${PASSWORD}@db.internal:5432/app\n`],
    [`a URL with one slash`, `postgresql:/app:${PASSWORD}@db.internal/app`],
    [`an unknown scheme`, `pg://app:${PASSWORD}@db.internal/app`],
    [`another database's URL`, `mysql://root:${PASSWORD}@db.internal:3306/app`],
    [`a URL that lost its colon`, `postgres//app:${PASSWORD}@db.internal/app`],
    [`a URL that lost its colon, no password`, "postgres//x"],
    [`a URL that lost its slashes`, `postgresql:app:${PASSWORD}@db.internal/app`],
    [`a scheme with no slashes`, `pg:${PASSWORD}`],
    [`a relative path with a colon`, `app:${PASSWORD}@db.internal/app`],
    [`a port that is not a number`, `postgresql://app:${PASSWORD}@db.internal:fivefour/app`],
    [`a password holding "/"`, `postgresql://app:${PASSWORD}/x@db.internal/app`],
    [`a password holding "#"`, `postgresql://app:${PASSWORD}#x@db.internal/app`],
    [`a URL holding a newline`, `postgresql://app:${PASSWORD}@db.internal/a\npp`],
    [`a file URL`, "file:///tmp/data"],
    [`an empty string`, ""],
    [`whitespace only`, "   "],
  ];

  for (const [what, source] of refused) {
    it(`refuses ${what} with InvalidArgumentError, creating nothing and showing no password`, async () => {
      let error: unknown;
      try {
        // Were it accepted, using it is what would create a directory.
        const saver = new PostgresSaver(source);
        await saver.setup().catch(() => {});
        await saver.close();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).code).toBe("INVALID_ARGUMENT");
      const message = (error as Error).message;
      expect(message).toContain("postgres:// or postgresql:// URL");
      expect(message).toContain('"memory://"');
      expect(message).toContain('a path starting with "./" or "../"');
      expectNoSecret(error, [PASSWORD]);
      expect(readdirSync(scratch)).toEqual([]);
    });
  }
});

describe("no password in any error of a well-formed URL", () => {
  const forms: [string, string, string[]][] = [
    ["a plain password", `postgresql://app:${PASSWORD}@127.0.0.1:1/appdb`, [PASSWORD]],
    ['a password holding "@"', `postgresql://app:${PASSWORD}@x@127.0.0.1:1/appdb`, [PASSWORD]],
    [
      'a password holding "%40"',
      `postgresql://app:${PASSWORD}%40x@127.0.0.1:1/appdb`,
      [PASSWORD, `${PASSWORD}@x`, `${PASSWORD}%40x`],
    ],
  ];

  for (const [what, url, secrets] of forms) {
    it(`reports an unreachable server with ${what} without it`, async () => {
      const saver = new PostgresSaver(url, { timeouts: { connectMs: 2_000, queryMs: 5_000 } });
      const error = await saver.setup().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageUnavailableError);
      expect((error as Error).message).toContain("127.0.0.1:1/appdb");
      expectNoSecret(error, secrets);
      await saver.close();
      expect(readdirSync(scratch)).toEqual([]);
    });
  }
});
