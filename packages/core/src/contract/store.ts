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
  /** The labels the item is filed under, outermost first, such as `["users", "ada"]`. */
  namespace: string[];
  /** The item's key, unique within its namespace. */
  key: string;
  /** The stored object. */
  value: Record<string, unknown>;
  /** When the item was first put. */
  createdAt: Date;
  /** When the item was last put. */
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
  /** Only namespaces that start with these labels. */
  prefix?: string[];
  /** Only namespaces that end with these labels. */
  suffix?: string[];
  /** Truncate namespaces to this many labels (duplicates removed). */
  maxDepth?: number;
  /** At most this many namespaces (default 100). */
  limit?: number;
  /** Skip this many namespaces first (default 0). */
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
  /** The item at (namespace, key), or `null` when there is none. */
  get(namespace: string[], key: string): Promise<Item | null>;
  /** Stores `value` at (namespace, key), replacing what was there. */
  put(namespace: string[], key: string, value: Record<string, unknown>): Promise<void>;
  /** Removes the item at (namespace, key); removing a missing item is not an error. */
  delete(namespace: string[], key: string): Promise<void>;
  /** Items whose namespace starts with `namespacePrefix`, filtered and paged by `options`. */
  search(namespacePrefix: string[], options?: SearchOptions): Promise<Item[]>;
  /** The namespaces that hold at least one item, filtered and paged by `options`. */
  listNamespaces(options?: ListNamespacesOptions): Promise<string[][]>;
}
