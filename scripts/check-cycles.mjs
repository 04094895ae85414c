// Fails when any package's source has an import circle, type-only imports
// included: a circle through a type still ties two files' designs together.
// dpdm reads TypeScript (NodeNext ".js" specifiers resolve to ".ts").
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

const roots = ["packages", "examples"].flatMap((dir) =>
  existsSync(dir) ? readdirSync(dir).map((name) => join(dir, name)) : [],
);
roots.push("bench");
const entries = roots.map((root) => join(root, "src")).filter((src) => existsSync(src));

let failed = 0;
for (const src of entries) {
  const result = spawnSync(
    "dpdm",
    ["--no-tree", "--no-warning", "--no-progress", "--exit-code", "circular:1", `${src}/**/*.ts`],
    { encoding: "utf8", shell: process.platform === "win32" },
  );
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
  if (result.status !== 0) {
    failed++;
    console.error(`import circle in ${src}:\n${output}`);
  }
}
if (failed > 0) {
  console.error(
    `${failed} of ${entries.length} source trees have import circles; break each one (move the shared piece to a file both can import).`,
  );
  process.exit(1);
}
console.log(`no import circles in ${entries.length} source trees`);
