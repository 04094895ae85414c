/**
 * A stored item of the long-term memory store.
 *
 * @example
 * ```ts
 * const item = await store.get(["users", "ada"], "preferences");
 * item?.value.theme;
 * ```
 */
export interface Item {
  namespace: string[];
  key: string;
  value: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * Options of {@link BaseStore.search}.
 *
 * @example
 * ```ts
 * await store.search(["users"], { filter: { theme: "dark" }, limit: 20, offset: 0 });
 * ```
 */
export interface SearchOptions {
  /** Only items whose value has each key with exactly this value. */
  filter?: Record<string, unknown>;
  /** At most this many items (default 10). */
  limit?: number;
  /** Skip this many matching items first (default 0). */
  offset?: number;
}

/**
 * Options of {@link BaseStore.listNamespaces}.
 *
 * @example
 * ```ts
 * await store.listNamespaces({ prefix: ["users"], maxDepth: 2 });
 * ```
 */
export interface ListNamespacesOptions {
  prefix?: string[];
  suffix?: string[];
  /** Truncate namespaces to this many labels (duplicates removed). */
  maxDepth?: number;
  limit?: number;
  offset?: number;
}

/**
 * Long-term memory shared across threads: items keyed by (namespace, key).
 * Workflows reach it with `getStore()`. The method set is LangGraph's
 * `BaseStore`'s.
 *
 * @example
 * ```ts
 * const wf = entrypoint({ name: "wf", checkpointer, store: new InMemoryStore() }, async (userId: string) => {
 *   const store = getStore();
 *   await store.put(["users", userId], "seen", { at: Date.now() });
 * });
 * ```
 */
export interface BaseStore {
  get(namespace: string[], key: string): Promise<Item | null>;
  put(namespace: string[], key: string, value: Record<string, unknown>): Promise<void>;
  delete(namespace: string[], key: string): Promise<void>;
  search(namespacePrefix: string[], options?: SearchOptions): Promise<Item[]>;
  listNamespaces(options?: ListNamespacesOptions): Promise<string[][]>;
}
