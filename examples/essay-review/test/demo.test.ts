// Runs the demo as a user would, in separate processes on one data directory:
// the first pauses and exits, the second resumes without re-running the task.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "savepoint-demo-"));
const demo = (...args: string[]) =>
  run(
    "npx",
    ["tsx", "--conditions=@savepoint/source", "src/main.ts", "--dir", join(dir, "data"), ...args],
    {
      cwd: new URL("..", import.meta.url).pathname,
      env: { ...process.env, ESSAY_DELAY_MS: "10", INIT_CWD: dir, CI: "true" },
    },
  );

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the essay-review demo", () => {
  it("pauses in one process and resumes in another, loading the essay from the checkpoint", async () => {
    const first = await demo();
    expect(first.stdout).toContain('chunk {"writeEssay":"An essay about topic: cat"}');
    expect(first.stdout).toContain('"__interrupt__":[{"id":');
    expect(first.stdout).toContain("npm run demo -- --approve");

    const second = await demo("--approve");
    expect(second.stdout).toContain("Found a paused run");
    expect(second.stdout).toContain(
      "writeEssay was loaded from the checkpoint; the task did not run again.",
    );
    expect(second.stdout).toContain(
      'chunk {"workflow":{"essay":"An essay about topic: cat","isApproved":true}}',
    );

    const third = await demo("--reject", "--new");
    expect(third.stdout).toContain("Starting a new run");
    expect(third.stdout).toContain('"isApproved":false');
  }, 600_000);
});
