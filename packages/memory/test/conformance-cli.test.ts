// The savepoint-conformance CLI run on MemorySaver, the way a user runs it on
// their saver: a module outside the repo default-exports the initializer. It
// goes through the CLI's own steps, parseCliArguments then runConformance (a
// vitest run of its own), in this process. The tests of the command itself
// (usage errors, exit codes of a separate process) are in
// @savepoint/conformance; these need a real saver, which conformance does not
// depend on.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { GROUP_NAMES, parseCliArguments, runConformance } from "@savepoint/conformance";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const packageRoot = dirname(dirname(fileURLToPath(import.meta.url)));
// The saver modules import MemorySaver from its source: this package's tests
// run before it is built.
const memory = JSON.stringify(join(packageRoot, "src/index.ts"));
// Fresh storage per retention test (MemorySaver declares retention), so the
// retention group runs in every module below rather than skipping.
const isolated = `isolated: async () => {
    const own = new MemoryStorage();
    return { create: (o) => new MemorySaver({ storage: own, ttl: o?.ttl }), destroy: async () => {} };
  }`;

let project: string;

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), "savepoint-cli-test-"));
  await writeFile(
    join(project, "good-saver.ts"),
    `import { MemorySaver, MemoryStorage } from ${memory};
import type { SaverInitializer } from "@savepoint/conformance";

const storage = new MemoryStorage();
const init: SaverInitializer = {
  name: "WrappedMemory",
  create: () => new MemorySaver({ storage }),
  ${isolated},
};
export default init;
`,
  );
  // Lists oldest first and ignores ifHead, while claiming to honour it.
  await writeFile(
    join(project, "broken-saver.js"),
    `import { MemorySaver, MemoryStorage } from ${memory};

class BrokenSaver extends MemorySaver {
  async *list(config, options = {}) {
    const all = [];
    for await (const tuple of super.list(config, { ...options, limit: undefined })) all.push(tuple);
    yield* all.reverse().slice(0, options.limit ?? Infinity);
  }
  put(config, checkpoint, metadata, versions) {
    return super.put(config, checkpoint, metadata, versions);
  }
}
const storage = new MemoryStorage();
export default { name: "Broken", create: () => new BrokenSaver({ storage }) };
`,
  );
  // The new user's mistake: every saver gets a storage of its own.
  await writeFile(
    join(project, "unshared-saver.js"),
    `import { MemorySaver, MemoryStorage } from ${memory};
export default { name: "Unshared", create: () => new MemorySaver(), ${isolated} };
`,
  );
  await writeFile(
    join(project, "not-durable-saver.js"),
    `import { MemorySaver, MemoryStorage } from ${memory};
export default { name: "NotDurable", create: () => new MemorySaver(), durable: false, ${isolated} };
`,
  );
});

afterAll(async () => {
  await rm(project, { recursive: true, force: true });
});

/** What `savepoint-conformance ...args` prints and exits with, run from the project folder. */
async function runCli(...args: string[]): Promise<{ code: number; stdout: string }> {
  const lines: string[] = [];
  const code = await runConformance(parseCliArguments(args, project), (line) => lines.push(line));
  return { code, stdout: `${lines.join("\n")}\n` };
}

function lastLine(text: string): string {
  return text.trimEnd().split("\n").at(-1) ?? "";
}

describe("savepoint-conformance CLI", () => {
  it("passes a correct saver written in TypeScript: one line per group, exit 0", async () => {
    const { code, stdout } = await runCli("good-saver.ts");
    expect(code, stdout).toBe(0);
    for (const group of GROUP_NAMES) {
      expect(stdout).toMatch(new RegExp(`✓ ${group}\\s+\\d+ passed, 0 failed`));
    }
    expect(lastLine(stdout)).toMatch(/^\d+ passed, 0 failed$/);
    expect(Number(lastLine(stdout).split(" ")[0])).toBeGreaterThanOrEqual(80);
  });

  it("fails a broken saver written in JavaScript: names the failures, exit 1", async () => {
    const { code, stdout } = await runCli(
      "broken-saver.js",
      "--group",
      "contract",
      "--group",
      "concurrency",
    );
    expect(code).toBe(1);
    expect(stdout).toContain("✗ contract");
    expect(stdout).toContain("newest first");
    expect(stdout).toContain("exactly one commits");
    expect(stdout).not.toContain("restart");
    const [, passed, failed] = /^(\d+) passed, (\d+) failed$/.exec(lastLine(stdout)) ?? [];
    expect(Number(passed)).toBeGreaterThan(0);
    expect(Number(failed)).toBeGreaterThan(0);
  });

  it("runs only the groups asked for", async () => {
    const { code, stdout } = await runCli("good-saver.ts", "--group=restart");
    expect(code).toBe(0);
    expect(stdout).toMatch(/✓ restart/);
    expect(stdout).not.toMatch(/contract|payloads/);
  });

  it("create() returning new MemorySaver() each time: one failure for the whole suite, saying why", async () => {
    const { code, stdout } = await runCli("unshared-saver.js");
    expect(code).toBe(1);
    // Restart cases: 11 in restart, 1 in runtime, 1 in threads, 2 in lists (plus the one that fails).
    expect(lastLine(stdout)).toMatch(/^\d+ passed, 1 failed, 15 skipped$/);
    expect(stdout).toMatch(/✗ restart\s+0 passed, 1 failed, 11 skipped/);
    expect(stdout).toContain(
      "create() must return savers over the same storage (one shared MemoryStorage, the same " +
        "database), or the initializer must declare durable: false",
    );
    expect(stdout).toMatch(/✓ runtime\s+\d+ passed, 0 failed, 1 skipped/);
    expect(stdout).toMatch(/✓ threads\s+\d+ passed, 0 failed, 1 skipped/);
    expect(stdout).toContain("Unshared's savers do not share storage (see the failure above)");
  });

  it("durable: false skips the restart cases with that reason and passes the rest, exit 0", async () => {
    const { code, stdout } = await runCli("not-durable-saver.js");
    expect(code, stdout).toBe(0);
    expect(lastLine(stdout)).toMatch(/^\d+ passed, 0 failed, 16 skipped$/);
    expect(stdout).toMatch(/✓ restart\s+0 passed, 0 failed, 12 skipped/);
    expect(stdout).toMatch(/✓ runtime\s+\d+ passed, 0 failed, 1 skipped/);
    expect(stdout).toMatch(/✓ threads\s+\d+ passed, 0 failed, 1 skipped/);
    expect(stdout).toMatch(/✓ lists\s+\d+ passed, 0 failed, 2 skipped/);
    expect(stdout).toContain("skipped: the initializer declares durable: false");
  });
});
