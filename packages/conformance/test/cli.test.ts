import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCliArguments } from "../src/runner.js";

const packageRoot = dirname(dirname(fileURLToPath(import.meta.url)));
const cli = join(packageRoot, "src/cli.ts");
const tsx = join(packageRoot, "node_modules/tsx/dist/cli.mjs");

// A folder outside the repo holding the modules the CLI is run on. The tests
// that need a working saver (a whole passing or failing run) live with
// MemorySaver in @savepoint/memory, which depends on this package; the saver
// here keeps each instance's checkpoints in a Map of its own, enough for the
// restart group to find that a second instance sees nothing.
let project: string;

const forgetfulSaver = `class ForgetfulSaver {
  checkpoints = new Map();
  async put(config, checkpoint, metadata) {
    const { thread_id, checkpoint_ns = "" } = config.configurable;
    this.checkpoints.set(thread_id + "/" + checkpoint_ns, { checkpoint, metadata });
    return { configurable: { thread_id, checkpoint_ns, checkpoint_id: checkpoint.id } };
  }
  async getTuple(config) {
    const { thread_id, checkpoint_ns = "" } = config.configurable;
    const found = this.checkpoints.get(thread_id + "/" + checkpoint_ns);
    return found && { config, ...found, pendingWrites: [] };
  }
  async *list() {}
  async putWrites() {}
  async deleteThread() {}
}
`;

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), "savepoint-cli-test-"));
  await writeFile(join(project, "no-default.ts"), "export const saver = 1;\n");
  await writeFile(
    join(project, "forgetful-saver.js"),
    `${forgetfulSaver}export default { name: "Forgetful", create: () => new ForgetfulSaver() };\n`,
  );
  await writeFile(
    join(project, "not-durable-saver.js"),
    `${forgetfulSaver}export default { name: "Forgetful", create: () => new ForgetfulSaver(), durable: false };\n`,
  );
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
  it("explains a module without a default-exported initializer, exit 1", async () => {
    const { code, stdout } = await runCli("no-default.ts");
    expect(code).toBe(1);
    expect(stdout).toContain("must default-export the saver's initializer");
    expect(lastLine(stdout)).toBe("0 passed, 1 failed");
  });

  it("refuses an unknown group or a missing module with usage, exit 2", async () => {
    const unknown = await runCli("no-default.ts", "--group", "nope");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown group "nope"');
    const missing = await runCli("nowhere.ts");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("no such file");
  });
});

describe("savepoint-conformance CLI on savers that do not share storage", () => {
  it("create() giving each saver its own storage: the restart group fails once, saying why", async () => {
    const { code, stdout } = await runCli("forgetful-saver.js", "--group", "restart");
    expect(code).toBe(1);
    expect(stdout).toMatch(/✗ restart\s+0 passed, 1 failed, 11 skipped/);
    const failures = stdout.split("\n").filter((line) => line.trimStart().startsWith("✗ create()"));
    expect(failures).toStrictEqual([
      "      ✗ create() gives savers over one storage: a new instance finds what the first put",
    ]);
    expect(stdout).toContain(
      "conformance: a second saver from Forgetful's create() sees nothing the first one wrote. " +
        "create() must return savers over the same storage (one shared MemoryStorage, the same " +
        "database), or the initializer must declare durable: false to skip the restart tests",
    );
    expect(stdout).toContain("skipped: Forgetful's savers do not share storage");
    expect(lastLine(stdout)).toBe("0 passed, 1 failed, 11 skipped");
  });

  it("durable: false skips every restart case with that reason", async () => {
    const { code, stdout } = await runCli("not-durable-saver.js", "--group", "restart");
    expect(stdout).toMatch(/✓ restart\s+0 passed, 0 failed, 12 skipped/);
    expect(stdout).toContain(
      "skipped: the initializer declares durable: false (each saver from create() keeps its " +
        "own storage), so there is no restart to test",
    );
    // Nothing ran, so the CLI does not call it a pass.
    expect(code).toBe(1);
    expect(stdout).toContain("no test ran");
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
