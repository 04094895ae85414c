// Classes of LangChain and LangGraph that the default serializer saves
// without registration: chat messages of every kind (and their chunks),
// documents, and LangGraph's Send, Command and DeltaSnapshot. This table is the whole
// allowlist. Stored data names an entry of it ("lc:AIMessage"), never a
// module or a constructor, so bytes from storage can only ever build one of
// these classes, taken from the user's own installed package.
//
// A value is saved with its own enumerable fields and revived as an object
// of the same class with exactly those fields (no constructor runs), so
// `instanceof` holds and every field (content, tool_calls, additional_kwargs,
// id, response_metadata, usage_metadata…) is the same on first run and replay.
import { createRequire } from "node:module";
import { importOptional, loadedOptional } from "./optional.js";

/** One class the serializer knows: its stored name, where it comes from, how to recognise it. */
export interface KnownClass {
  /** What is stored. */
  readonly name: string;
  /** The package export the class is taken from when it must be loaded. */
  readonly module: string;
  readonly exportName: string;
  /** A cheap check on a live object that it is this class's kind (the class name is checked too). */
  readonly looksLike: (value: Record<string, unknown>) => boolean;
}

const MESSAGES = "@langchain/core/messages";
const MESSAGE_CLASSES = [
  "AIMessage",
  "AIMessageChunk",
  "HumanMessage",
  "HumanMessageChunk",
  "SystemMessage",
  "SystemMessageChunk",
  "ToolMessage",
  "ToolMessageChunk",
  "FunctionMessage",
  "FunctionMessageChunk",
  "ChatMessage",
  "ChatMessageChunk",
  "RemoveMessage",
];

function lcNameOf(value: Record<string, unknown>): unknown {
  const id = value.lc_id;
  return Array.isArray(id) ? id[id.length - 1] : undefined;
}

const TABLE: KnownClass[] = [
  ...MESSAGE_CLASSES.map(
    (exportName): KnownClass => ({
      name: `lc:${exportName}`,
      module: MESSAGES,
      exportName,
      looksLike: (v) => v.lc_serializable === true && lcNameOf(v) === exportName,
    }),
  ),
  {
    name: "lc:Document",
    module: "@langchain/core/documents",
    exportName: "Document",
    looksLike: (v) => typeof v.pageContent === "string" && "metadata" in v,
  },
  {
    name: "lg:Send",
    module: "@langchain/langgraph",
    exportName: "Send",
    looksLike: (v) => v.lg_name === "Send",
  },
  {
    name: "lg:Command",
    module: "@langchain/langgraph",
    exportName: "Command",
    looksLike: (v) => v.lg_name === "Command",
  },
  {
    name: "lg:DeltaSnapshot",
    module: "@langchain/langgraph-checkpoint",
    exportName: "DeltaSnapshot",
    looksLike: (v) => v.lg_name === "DeltaSnapshot",
  },
];

const BY_NAME = new Map(TABLE.map((known) => [known.name, known]));
const BY_EXPORT_NAME = new Map<string, KnownClass[]>();
for (const known of TABLE) {
  const list = BY_EXPORT_NAME.get(known.exportName) ?? [];
  list.push(known);
  BY_EXPORT_NAME.set(known.exportName, list);
}

type Constructor = abstract new (...args: any[]) => unknown;

// Classes seen on live values in this process, by stored name: the very
// class the user's code built its values with (an ESM or a CJS copy alike).
const learned = new Map<string, Constructor>();

/**
 * The known class `value` is an instance of (exactly, not a subclass), or
 * undefined. The class must be the installed one: the ESM export once it is
 * loaded, or the CommonJS copy of the same package (a CommonJS program's
 * classes). Before the package is loaded, a class of the right name and
 * shape is taken provisionally and the package is loaded, so the next value
 * is checked against it.
 */
export function knownClassOf(value: object, proto: object): KnownClass | undefined {
  const ctor = (proto as { constructor?: unknown }).constructor;
  if (typeof ctor !== "function" || ctor.prototype !== proto) return undefined;
  const candidates = BY_EXPORT_NAME.get(ctor.name);
  if (!candidates) return undefined;
  for (const known of candidates) {
    if (!known.looksLike(value as Record<string, unknown>)) continue;
    const installed = loadedOptional<Record<string, unknown>>(known.module)?.[known.exportName];
    if (installed === undefined) {
      void loadModule(known.module);
    } else if (installed !== ctor && commonJsExport(known) !== ctor) {
      continue; // a look-alike class, not the installed one
    }
    learned.set(known.name, ctor as Constructor);
    return known;
  }
  return undefined;
}

const commonJs = new Map<string, unknown>();

// The same export from the package's CommonJS build, loaded synchronously
// (only asked when a class differs from the ESM export).
function commonJsExport(known: KnownClass): unknown {
  if (!commonJs.has(known.module)) {
    let module: unknown;
    try {
      module = createRequire(import.meta.url)(known.module);
    } catch {
      module = undefined;
    }
    commonJs.set(known.module, module);
  }
  return (commonJs.get(known.module) as Record<string, unknown> | undefined)?.[known.exportName];
}

/** The entry stored as `name`, or undefined for a name outside the allowlist. */
export function knownClassNamed(name: string): KnownClass | undefined {
  return BY_NAME.get(name);
}

/**
 * Thrown (inside the serializer only) when a stored value needs a package
 * that this process has not loaded yet; `loadTyped`/`loadsTyped` load it and
 * decode again.
 */
export class ModuleNeeded extends Error {
  constructor(readonly module: string) {
    super(`${module} must be loaded to read this value`);
  }
}

/**
 * The class to revive `known` as: one seen on a live value in this process,
 * else the user's installed export. Throws ModuleNeeded when the package has
 * not been loaded yet; returns undefined when it is not installed.
 */
export function classFor(known: KnownClass): Constructor | undefined {
  const module = loadedOptional<Record<string, unknown>>(known.module);
  const installed = module?.[known.exportName];
  const seen = learned.get(known.name);
  // A class seen on a live value is used when it is the installed one (or
  // its CommonJS copy), or while the package is not loaded yet.
  if (seen && (installed === undefined || seen === installed || seen === commonJsExport(known))) {
    return seen;
  }
  if (module === undefined) {
    if (!attempted.has(known.module)) throw new ModuleNeeded(known.module);
    return undefined;
  }
  return typeof installed === "function" ? (installed as Constructor) : undefined;
}

const attempted = new Set<string>();

/** Loads `module` (once) so that {@link classFor} can answer. */
export async function loadModule(module: string): Promise<void> {
  await importOptional(module);
  attempted.add(module);
}
