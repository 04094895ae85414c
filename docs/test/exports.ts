// Lists the exported symbols of a package's entry point whose TSDoc has no
// `@example`, using the TypeScript compiler on the package's sources.
import { join } from "node:path";
import ts from "typescript";

export interface Undocumented {
  name: string;
  file: string;
  missing: "doc" | "example";
}

export function exportsWithoutExamples(packageDir: string): Undocumented[] {
  const entry = join(packageDir, "src", "index.ts");
  const program = ts.createProgram([entry], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    customConditions: ["@savepoint/source"],
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error(`cannot read the exports of ${entry}`);
  const found: Undocumented[] = [];
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol =
      exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const declaration = symbol.declarations?.[0];
    if (!declaration) continue;
    const docs = symbol.getDocumentationComment(checker);
    const tags = symbol.getJsDocTags(checker);
    const file = declaration.getSourceFile().fileName.slice(packageDir.length + 1);
    if (docs.length === 0 && tags.length === 0)
      found.push({ name: exported.name, file, missing: "doc" });
    else if (!tags.some((t) => t.name === "example"))
      found.push({ name: exported.name, file, missing: "example" });
  }
  return found;
}
