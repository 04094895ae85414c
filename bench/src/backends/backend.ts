// What a backend is to the benchmark: how to open its savers on a clean
// store, its physical anchor, and how to close it again. One module per
// backend in this directory; index.ts lists them.
import type { CheckpointSaver } from "@savepoint/core";
import type { Anchor } from "../anchors.js";
import type { DbosFlows } from "../dbos.js";
import type { BackendId } from "../results.js";
import type { OwnStore } from "../threads.js";

export interface Backend {
  id: BackendId;
  /**
   * A durable backend runs Savepoint in `sync` and the default durability and
   * keeps one saver (its data is on the server); memory runs the default only
   * and hands out a new saver per run, so earlier runs' data does not pile up
   * in the heap.
   */
  durable: boolean;
  /** Opens the store, cleaning what an earlier run left; throws why it cannot. */
  open(): Promise<OpenBackend>;
}

export interface OpenBackend {
  /** Savepoint's saver; memory's is a new one per call. */
  saver(): CheckpointSaver;
  /** LangGraph.js's saver on the same store, when LangGraph has one. */
  langgraph?: () => any;
  /** DBOS Transact on the same store, when DBOS runs on it. */
  dbos?: () => Promise<DbosFlows>;
  anchor: Anchor;
  /**
   * A durable backend: a saver on storage of its own beside the main one (a
   * schema, a key prefix), for a study that compares stores of different
   * sizes side by side (T1). `drop` removes it; opening it again first
   * removes what a run that died left.
   */
  storeOfItsOwn?: (name: string) => Promise<OwnStore>;
  /** Removes what the run left (where the store outlives it) and disconnects. */
  close(): Promise<void>;
}
