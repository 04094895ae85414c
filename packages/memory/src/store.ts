import {
  type BaseStore,
  defaultSerializer,
  InvalidIdentifierError,
  type Item,
  type ListNamespacesOptions,
  matchesMetadataFilter,
  type SearchOptions,
} from "@savepoint/core";

function checkNamespace(namespace: string[], method: string): void {
  if (
    !Array.isArray(namespace) ||
    namespace.some((label) => typeof label !== "string" || label.length === 0)
  ) {
    throw new InvalidIdentifierError(
      `${method}: namespace`,
      namespace,
      "pass an array of non-empty strings",
    );
  }
}

function startsWith(namespace: string[], prefix: string[]): boolean {
  return prefix.every((label, i) => namespace[i] === label);
}

function endsWith(namespace: string[], suffix: string[]): boolean {
  const offset = namespace.length - suffix.length;
  return offset >= 0 && suffix.every((label, i) => namespace[offset + i] === label);
}

/**
 * Long-term memory in this process's memory: items keyed by (namespace, key),
 * shared by every thread of the workflows given it. Values are copied in and
 * out, so changing a value after `put` or `get` does not change the stored one.
 *
 * @example
 * ```ts
 * const store = new InMemoryStore();
 * await store.put(["users", "ada"], "profile", { theme: "dark" });
 * (await store.get(["users", "ada"], "profile"))?.value; // { theme: "dark" }
 * ```
 */
export class InMemoryStore implements BaseStore {
  // Keyed by the namespace joined with NUL (labels cannot hold it meaningfully), then by key.
  private readonly items = new Map<string, Map<string, Item>>();

  private copy(item: Item): Item {
    return {
      ...item,
      namespace: [...item.namespace],
      value: defaultSerializer.canonicalize(item.value),
    };
  }

  async get(namespace: string[], key: string): Promise<Item | null> {
    checkNamespace(namespace, "get");
    const item = this.items.get(namespace.join("\u0000"))?.get(key);
    return item ? this.copy(item) : null;
  }

  async put(namespace: string[], key: string, value: Record<string, unknown>): Promise<void> {
    checkNamespace(namespace, "put");
    if (typeof key !== "string" || key.length === 0) {
      throw new InvalidIdentifierError("put: key", key, "pass a non-empty string");
    }
    const stored = defaultSerializer.canonicalize(value, `The value of store item "${key}"`);
    const nsKey = namespace.join("\u0000");
    let space = this.items.get(nsKey);
    if (!space) {
      space = new Map();
      this.items.set(nsKey, space);
    }
    const now = new Date();
    const previous = space.get(key);
    space.set(key, {
      namespace: [...namespace],
      key,
      value: stored,
      createdAt: previous?.createdAt ?? now,
      updatedAt: now,
    });
  }

  async delete(namespace: string[], key: string): Promise<void> {
    checkNamespace(namespace, "delete");
    const nsKey = namespace.join("\u0000");
    const space = this.items.get(nsKey);
    space?.delete(key);
    if (space?.size === 0) this.items.delete(nsKey);
  }

  async search(namespacePrefix: string[], options: SearchOptions = {}): Promise<Item[]> {
    const { filter, limit = 10, offset = 0 } = options;
    const found: Item[] = [];
    let skipped = 0;
    for (const space of this.items.values()) {
      for (const item of space.values()) {
        if (
          !startsWith(item.namespace, namespacePrefix) ||
          !matchesMetadataFilter(item.value, filter)
        )
          continue;
        if (skipped++ < offset) continue;
        found.push(this.copy(item));
        if (found.length >= limit) return found;
      }
    }
    return found;
  }

  async listNamespaces(options: ListNamespacesOptions = {}): Promise<string[][]> {
    const { prefix, suffix, maxDepth, limit = 100, offset = 0 } = options;
    const seen = new Map<string, string[]>();
    for (const space of this.items.values()) {
      const first = space.values().next().value as Item | undefined;
      if (!first) continue;
      let ns = first.namespace;
      if (prefix && !startsWith(ns, prefix)) continue;
      if (suffix && !endsWith(ns, suffix)) continue;
      if (maxDepth !== undefined) ns = ns.slice(0, maxDepth);
      seen.set(ns.join("\u0000"), ns);
    }
    return [...seen.values()]
      .sort((a, b) => a.join("\u0000").localeCompare(b.join("\u0000")))
      .slice(offset, offset + limit)
      .map((ns) => [...ns]);
  }
}
