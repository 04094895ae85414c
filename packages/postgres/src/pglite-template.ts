// A new PGlite database starts from a pre-initialised cluster instead of
// running initdb. initdb inside WebAssembly is most of a first start (about
// 2.4 s of 2.8 s on our 2-core machine); unpacking the shipped cluster takes
// about 0.1 s and PGlite starts on it like on any existing directory.
//
// The cluster is PGlite's own `dumpDataDir()` of a fresh instance, made by
// `scripts/make-pglite-template.mjs` and stored brotli-compressed (1.3 MB
// against 40 MB of files). A cluster is only valid for the PGlite that
// made it, so the manifest names that version and any other version starts
// with initdb as before.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliDecompress } from "node:zlib";

/** What `pglite-template/manifest.json` says about the cluster beside it. */
export interface TemplateManifest {
  /** The `@electric-sql/pglite` version that made the cluster. */
  pglite: string;
  /** The cluster's file, relative to the manifest. */
  file: string;
}

/** Where a template is: its manifest, the cluster file beside it. */
export interface TemplateSource {
  manifest: string;
}

// The package root is one level up from both src/ and dist/.
const PACKAGE_TEMPLATE: TemplateSource = {
  manifest: fileURLToPath(new URL("../pglite-template/manifest.json", import.meta.url)),
};

/** The version of the `@electric-sql/pglite` this package resolves, or undefined. */
export async function installedPGliteVersion(): Promise<string | undefined> {
  try {
    // The package does not export its package.json: find it above its entry.
    let dir = dirname(createRequire(import.meta.url).resolve("@electric-sql/pglite"));
    for (let i = 0; i < 4; i++) {
      const text = await readFile(join(dir, "package.json"), "utf8").catch(() => undefined);
      const pkg =
        text === undefined ? undefined : (JSON.parse(text) as { name?: string; version?: string });
      if (pkg?.name === "@electric-sql/pglite") return pkg.version;
      dir = dirname(dir);
    }
  } catch {
    // Not resolvable from here: no template.
  }
  return undefined;
}

/**
 * The pre-initialised cluster for the installed PGlite, as the uncompressed
 * tar `PGlite.create({ loadDataDir })` takes; `undefined` when there is none
 * or it was made by another PGlite version.
 *
 * @example
 * ```ts
 * const cluster = await pgliteTemplate();
 * const pg = await PGlite.create("./data", cluster ? { loadDataDir: cluster } : {});
 * ```
 */
export async function pgliteTemplate(
  source: TemplateSource = PACKAGE_TEMPLATE,
): Promise<Blob | undefined> {
  let manifest: TemplateManifest;
  try {
    manifest = JSON.parse(await readFile(source.manifest, "utf8")) as TemplateManifest;
  } catch {
    return undefined;
  }
  if (typeof manifest.pglite !== "string" || typeof manifest.file !== "string") return undefined;
  if (manifest.pglite !== (await installedPGliteVersion())) return undefined;
  try {
    const packed = await readFile(join(dirname(source.manifest), manifest.file));
    const tar = await new Promise<Buffer>((resolve, reject) =>
      brotliDecompress(packed, (err, out) => (err ? reject(err) : resolve(out))),
    );
    return new Blob([new Uint8Array(tar.buffer, tar.byteOffset, tar.byteLength)]);
  } catch {
    // A damaged file only costs the fast start.
    return undefined;
  }
}
