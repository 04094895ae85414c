// Every ```ts block of the docs is type-checked against the workspace
// packages (their sources, through the "@savepoint/source" condition), and the
// ones marked `run` are executed with tsx and must exit 0. The docs cannot
// drift from the API without this test failing. (kv-saver.test.ts goes
// further for one guide: it runs the saver it builds through the suites.)
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import {
  DOCS_DIR,
  documents,
  readSamples,
  SAMPLES_CACHE,
  type Sample,
  type SampleFile,
  sampleFiles,
  sourceOf as sourceIn,
  writeSampleTree,
} from "./samples.js";

const run = promisify(execFile);

const OUT_DIR = join(SAMPLES_CACHE, "savepoint-doc-samples");
const TSX = join(DOCS_DIR, "node_modules", ".bin", "tsx");

const docs = documents();
const samples = new Map<string, Sample[]>(docs.map((doc) => [doc, readSamples(doc)]));

function dirOf(doc: string): string {
  return join(OUT_DIR, doc.replace(/[/.]/g, "_"));
}

const units: SampleFile[] = docs.flatMap((doc) => sampleFiles(samples.get(doc)!, dirOf(doc)));
const sourceOf = (path: string, line: number) => sourceIn(units, path, line);

writeSampleTree(OUT_DIR, units);

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
