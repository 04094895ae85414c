import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { GROUP_NAMES, type GroupName } from "./initializer.js";
import { ConformanceProgressReporter } from "./progress-reporter.js";

/**
 * The CLI's help text.
 *
 * @example
 * ```ts
 * console.log(CLI_USAGE);
 * ```
 */
export const CLI_USAGE = `Usage: savepoint-conformance <module> [--group NAME]...

Runs the Savepoint saver conformance suite against the initializer that
<module> (.ts or .js) default-exports:

  export default {
    name: "MySaver",
    create: () => new MySaver(storage),   // called once per group and per restart test;
                                          // every saver it returns must share one storage
    destroy: (saver) => saver.close(),    // optional
    // durable: false,                    // only if each saver keeps a storage of its own:
                                          // skips the restart tests
  };

Options:
  --group NAME   run only this group (repeatable): ${GROUP_NAMES.join(", ")}
  -h, --help     show this help

Exits 0 when every test passed, 1 when any failed, 2 on a usage error.`;

/**
 * What the command line asked for.
 *
 * @example
 * ```ts
 * const args: CliArguments = { module: "/abs/my-saver.conformance.ts", groups: ["contract"] };
 * ```
 */
export interface CliArguments {
  /** Absolute path of the initializer module. */
  module: string;
  /** Only these groups, or all. */
  groups: GroupName[] | undefined;
}

/**
 * Parses `savepoint-conformance`'s arguments; throws an Error with a message
 * for the user on a mistake.
 *
 * @example
 * ```ts
 * parseCliArguments(["./saver.ts", "--group", "contract"], "/work");
 * // { module: "/work/saver.ts", groups: ["contract"] }
 * ```
 */
export function parseCliArguments(argv: readonly string[], cwd: string): CliArguments {
  let module: string | undefined;
  const groups: GroupName[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--group" || arg.startsWith("--group=")) {
      const value = arg === "--group" ? argv[++i] : arg.slice("--group=".length);
      for (const name of (value ?? "").split(",").filter(Boolean)) {
        if (!GROUP_NAMES.includes(name as GroupName)) {
          throw new Error(`unknown group "${name}"; the groups are ${GROUP_NAMES.join(", ")}`);
        }
        groups.push(name as GroupName);
      }
      if (!value) throw new Error("--group needs a name");
    } else if (arg.startsWith("-")) {
      throw new Error(`unknown option ${arg}`);
    } else if (module === undefined) {
      module = arg;
    } else {
      throw new Error(`one module at a time (got ${module} and ${arg})`);
    }
  }
  if (module === undefined)
    throw new Error("name the module that default-exports your saver's initializer");
  const path = resolve(cwd, module);
  if (!existsSync(path)) throw new Error(`no such file: ${path}`);
  return { module: path, groups: groups.length > 0 ? groups : undefined };
}

// The suite entry next to this file: src/index.ts when run from source, dist/index.js when installed.
function suiteEntry(): string {
  const ts = fileURLToPath(new URL("./index.ts", import.meta.url));
  return existsSync(ts) ? ts : fileURLToPath(new URL("./index.js", import.meta.url));
}

function testFileSource(args: CliArguments): string {
  return `import * as userModule from ${JSON.stringify(args.module)};
import { describeSaverConformance } from ${JSON.stringify(suiteEntry())};

const init = userModule.default;
if (!init || typeof init !== "object" || typeof init.create !== "function" || typeof init.name !== "string") {
  throw new Error(
    ${JSON.stringify(args.module)} + " must default-export the saver's initializer: " +
      "export default { name: \\"MySaver\\", create: () => new MySaver(), destroy: (saver) => saver.close() }" +
      " (got " + (init === undefined ? "no default export" : typeof init) + ")",
  );
}
describeSaverConformance(init, ${JSON.stringify(args.groups)} ?? undefined);
`;
}

/**
 * Runs the suite for `args` and returns the process exit code (0 all passed,
 * 1 anything failed). Prints progress through `write`.
 *
 * @example
 * ```ts
 * const code = await runConformance({ module: "/abs/my-saver.ts", groups: undefined });
 * ```
 */
export async function runConformance(
  args: CliArguments,
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<number> {
  const { startVitest } = await import("vitest/node");
  const dir = await mkdtemp(join(tmpdir(), "savepoint-conformance-"));
  const reporter = new ConformanceProgressReporter(write);
  try {
    await writeFile(join(dir, "conformance.test.mjs"), testFileSource(args));
    write(
      `savepoint-conformance: ${args.module}${args.groups ? ` (groups: ${args.groups.join(", ")})` : ""}`,
    );
    const vitest = await startVitest(
      "test",
      [],
      {
        root: dir,
        config: false,
        watch: false,
        include: ["conformance.test.mjs"],
        reporters: [reporter],
        testTimeout: 120_000,
        hookTimeout: 120_000,
        passWithNoTests: false,
      },
      { cacheDir: join(dir, ".vite"), logLevel: "error" },
    );
    await vitest.close();
    const ran = reporter.totals.passed + reporter.totals.failed;
    if (ran === 0) {
      write("savepoint-conformance: no test ran (is the whole suite skipped?)");
      return 1;
    }
    return reporter.totals.failed > 0 ? 1 : 0;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
