import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GROUP_NAMES } from "../src/initializer.js";
import { parseCliArguments } from "../src/runner.js";

const packageRoot = dirname(dirname(fileURLToPath(import.meta.url)));
const cli = join(packageRoot, "src/cli.ts");
const tsx = join(packageRoot, "node_modules/tsx/dist/cli.mjs");

// A folder outside the repo, laid out as a user's project after
// `npm install @savepoint/core @savepoint/memory`: the saver modules import
// those packages by name.
let project: string;

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), "savepoint-cli-test-"));
  await mkdir(join(project, "node_modules/@savepoint"), { recursive: true });
  for (const name of ["core", "memory"]) {
    await symlink(
      join(packageRoot, "..", name),
      join(project, "node_modules/@savepoint", name),
      "dir",
    );
  }
  await writeFile(
    join(project, "good-saver.ts"),
    `import { MemorySaver, MemoryStorage } from "@savepoint/memory";
import type { SaverInitializer } from ${JSON.stringify(join(packageRoot, "src/index.ts"))};

const storage = new MemoryStorage();
const init: SaverInitializer = { name: "WrappedMemory", create: () => new MemorySaver({ storage }) };
export default init;
`,
  );
  // Lists oldest first and ignores ifHead, while claiming to honour it.
  await writeFile(
    join(project, "broken-saver.js"),
    `import { MemorySaver, MemoryStorage } from "@savepoint/memory";

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
  await writeFile(join(project, "no-default.ts"), "export const saver = 1;\n");
});

afterAll(async () => {
  await rm(project, { recursive: true, force: true });
});

function runCli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [tsx, cli, ...args],
      { cwd: project, timeout: 120_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
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

  it("explains a module without a default-exported initializer, exit 1", async () => {
    const { code, stdout } = await runCli("no-default.ts");
    expect(code).toBe(1);
    expect(stdout).toContain("must default-export the saver's initializer");
    expect(lastLine(stdout)).toBe("0 passed, 1 failed");
  });

  it("refuses an unknown group or a missing module with usage, exit 2", async () => {
    const unknown = await runCli("good-saver.ts", "--group", "nope");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown group "nope"');
    const missing = await runCli("nowhere.ts");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("no such file");
  });
});

describe("parseCliArguments", () => {
  it("resolves the module against the working directory and collects groups", () => {
    expect(parseCliArguments([cli, "--group", "contract,restart"], "/")).toEqual({
      module: cli,
      groups: ["contract", "restart"],
    });
  });

  it("leaves groups undefined when none are named", () => {
    expect(parseCliArguments([cli], "/").groups).toBeUndefined();
  });

  it("rejects two modules and unknown options", () => {
    expect(() => parseCliArguments([cli, cli], "/")).toThrow(/one module at a time/);
    expect(() => parseCliArguments([cli, "--bail"], "/")).toThrow(/unknown option/);
  });
});
