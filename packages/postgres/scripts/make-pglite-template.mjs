// Makes pglite-template/: a fresh PGlite cluster (PGlite's own
// dumpDataDir of a new in-memory instance), brotli-compressed, with a
// manifest naming the PGlite version that made it. A new PGlite database
// starts from it instead of running initdb (src/pglite-template.ts). Run it
// again after upgrading @electric-sql/pglite; the test
// "the shipped cluster matches the installed PGlite" says when:
//   pnpm --filter @savepoint/postgres make:pglite-template
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompress, constants } from "node:zlib";
import { PGlite } from "@electric-sql/pglite";

const out = fileURLToPath(new URL("../pglite-template/", import.meta.url));
let dir = dirname(createRequire(import.meta.url).resolve("@electric-sql/pglite"));
let version;
while (!version) {
  const pkg = JSON.parse(await readFile(join(dir, "package.json"), "utf8").catch(() => "{}"));
  if (pkg.name === "@electric-sql/pglite") version = pkg.version;
  else if (dirname(dir) === dir) throw new Error("@electric-sql/pglite's package.json not found");
  else dir = dirname(dir);
}

const pg = await PGlite.create();
const tar = Buffer.from(await (await pg.dumpDataDir("none")).arrayBuffer());
await pg.close();
const packed = await new Promise((resolve, reject) =>
  brotliCompress(
    tar,
    { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_LGWIN]: 24 } },
    (err, result) => (err ? reject(err) : resolve(result)),
  ),
);
await mkdir(out, { recursive: true });
const file = "cluster.tar.br";
await writeFile(join(out, file), packed);
await writeFile(
  join(out, "manifest.json"),
  `${JSON.stringify({ pglite: version, file }, null, 2)}\n`,
);
console.log(
  `pglite-template/${file}: PGlite ${version}, ${tar.length} bytes of files in ${packed.length}`,
);
