// Every ```ts block of the docs is type-checked against the workspace
// packages (their sources, through the "@savepoint/source" condition), and the
// ones marked `run` are executed with tsx and must exit 0. The docs cannot
// drift from the API without this test failing.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { promisify } from "node:util";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { DOCS_DIR, documents, readSamples, type Sample } from "./samples.js";

const run = promisify(execFile);

// Inside node_modules, so the samples resolve @savepoint/* like a user's code
// would, and neither git nor biome looks at them.
const OUT_DIR = join(DOCS_DIR, "node_modules", ".cache", "savepoint-doc-samples");
const TSX = join(DOCS_DIR, "node_modules", ".bin", "tsx");

// Drivers the guides import directly are peer dependencies of the adapters:
// link the copies installed for the adapters where the samples resolve them.
const DRIVERS: [pkg: string, adapter: string][] = [
  ["postgres", "postgres"],
  ["@electric-sql/pglite", "postgres"],
  ["ioredis", "redis"],
];

function linkDrivers(): void {
  for (const [pkg, adapter] of DRIVERS) {
    const installed = join(DOCS_DIR, "..", "packages", adapter, "node_modules", pkg);
    if (!existsSync(installed)) continue;
    const link = join(OUT_DIR, "node_modules", pkg);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(realpathSync(installed), link, "dir");
  }
}

const docs = documents();
const samples = new Map<string, Sample[]>(docs.map((doc) => [doc, readSamples(doc)]));

/** One file of a page's samples: a block, or several blocks that share a `file=` name. */
interface Unit {
  doc: string;
  path: string;
  parts: { sample: Sample; firstLine: number }[];
  run: boolean;
}

function dirOf(doc: string): string {
  return join(OUT_DIR, doc.replace(/[/.]/g, "_"));
}

const units: Unit[] = [];
for (const [doc, list] of samples) {
  for (const sample of list.filter((s) => !s.fragment)) {
    const path = join(dirOf(doc), sample.file);
    let unit = units.find((u) => u.path === path);
    if (!unit) {
      unit = { doc, path, parts: [], run: false };
      units.push(unit);
    }
    const previous = unit.parts.at(-1);
    const firstLine = previous ? previous.firstLine + previous.sample.code.split("\n").length : 0;
    unit.parts.push({ sample, firstLine });
    unit.run ||= sample.run;
  }
}

/** Where line `line` (0-based) of a sample file comes from in the docs. */
function sourceOf(path: string, line: number): string {
  const unit = units.find((u) => u.path === path);
  const part = unit?.parts.findLast((p) => p.firstLine <= line);
  return part
    ? `${part.sample.doc}:${part.sample.line + 1 + line - part.firstLine}`
    : relative(DOCS_DIR, path);
}

rmSync(OUT_DIR, { recursive: true, force: true });
mkdirSync(OUT_DIR, { recursive: true });
writeFileSync(join(OUT_DIR, "package.json"), '{ "type": "module", "private": true }\n');
linkDrivers();
for (const doc of docs) mkdirSync(dirOf(doc), { recursive: true });
for (const unit of units) {
  writeFileSync(unit.path, `${unit.parts.map((p) => p.sample.code).join("\n")}\nexport {};\n`);
}

describe("guide code samples", () => {
  it("every guide has TypeScript samples, and fragments are rare", () => {
    const all = [...samples.values()].flat();
    for (const doc of docs.filter((d) => d.startsWith("guides/"))) {
      expect(samples.get(doc)!.length, `${doc} has no ts code block`).toBeGreaterThan(0);
    }
    expect(all.filter((s) => s.fragment).length).toBeLessThanOrEqual(Math.ceil(all.length / 10));
  });

  it("type-check against the workspace packages", () => {
    const files = units.map((u) => u.path);
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      lib: ["lib.es2023.d.ts"],
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      customConditions: ["@savepoint/source"],
      strict: true,
      noUncheckedIndexedAccess: true,
      verbatimModuleSyntax: true,
      skipLibCheck: true,
      noEmit: true,
      types: ["node"],
    };
    const program = ts.createProgram(files, options);
    const ours = new Set(files);
    const report = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => !d.file || ours.has(d.file.fileName))
      .map((d) => {
        const text = ts.flattenDiagnosticMessageText(d.messageText, "\n");
        if (!d.file || d.start === undefined) return text;
        const { line } = d.file.getLineAndCharacterOfPosition(d.start);
        return `${sourceOf(d.file.fileName, line)}: ${text}`;
      });
    expect(report).toStrictEqual([]);
  }, 60_000);

  describe.concurrent("run the complete programs", () => {
    for (const doc of docs) {
      const runnable = units.filter((u) => u.doc === doc && u.run);
      if (runnable.length === 0) continue;
      it(`${doc} (${runnable.length} program${runnable.length > 1 ? "s" : ""})`, async () => {
        for (const unit of runnable) {
          const result = await run(TSX, ["--conditions=@savepoint/source", unit.path], {
            cwd: dirOf(doc),
            timeout: 45_000,
            env: { ...process.env, NODE_NO_WARNINGS: "1" },
          }).catch((error: { code?: number; stdout?: string; stderr?: string }) => error);
          const failed = "code" in result && result.code !== undefined && result.code !== 0;
          const where = sourceOf(unit.path, 0);
          expect(
            failed
              ? `${where} exited with ${result.code}\n${result.stdout}\n${result.stderr}`
              : "ok",
          ).toBe("ok");
        }
      }, 120_000);
    }
  });
});
