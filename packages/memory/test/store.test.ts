import { entrypoint, getStore, InvalidIdentifierError } from "@savepoint/core";
import { describe, expect, it } from "vitest";
import { InMemoryStore, MemorySaver } from "../src/index.js";

describe("InMemoryStore", () => {
  it("puts, gets and deletes items by namespace and key, with timestamps", async () => {
    const store = new InMemoryStore();
    expect(await store.get(["users", "ada"], "profile")).toBeNull();
    await store.put(["users", "ada"], "profile", { theme: "dark" });
    const first = await store.get(["users", "ada"], "profile");
    expect(first).toMatchObject({
      namespace: ["users", "ada"],
      key: "profile",
      value: { theme: "dark" },
    });
    expect(first?.createdAt).toBeInstanceOf(Date);
    await new Promise((r) => setTimeout(r, 2));
    await store.put(["users", "ada"], "profile", { theme: "light" });
    const second = await store.get(["users", "ada"], "profile");
    expect(second?.value).toStrictEqual({ theme: "light" });
    expect(second?.createdAt).toStrictEqual(first?.createdAt);
    expect(second!.updatedAt.getTime()).toBeGreaterThan(first!.updatedAt.getTime());
    await store.delete(["users", "ada"], "profile");
    expect(await store.get(["users", "ada"], "profile")).toBeNull();
  });

  it("copies values in and out, so later mutation does not change what is stored", async () => {
    const store = new InMemoryStore();
    const value = { tags: ["a"], at: new Date(0) };
    await store.put(["n"], "k", value);
    value.tags.push("b");
    const read = await store.get(["n"], "k");
    (read!.value.tags as string[]).push("c");
    expect((await store.get(["n"], "k"))!.value).toStrictEqual({ tags: ["a"], at: new Date(0) });
  });

  it("searches by namespace prefix with an exact-match filter, limit and offset", async () => {
    const store = new InMemoryStore();
    for (let i = 0; i < 5; i++)
      await store.put(["docs", "team-a"], `d${i}`, { kind: i % 2 ? "odd" : "even", i });
    await store.put(["docs", "team-b"], "x", { kind: "even", i: 99 });
    await store.put(["other"], "y", { kind: "even" });
    const even = await store.search(["docs"], { filter: { kind: "even" }, limit: 10 });
    expect(even.map((item) => item.value.i)).toStrictEqual([0, 2, 4, 99]);
    const page = await store.search(["docs"], { filter: { kind: "even" }, limit: 2, offset: 1 });
    expect(page.map((item) => item.value.i)).toStrictEqual([2, 4]);
    expect(await store.search(["docs", "team-b"])).toHaveLength(1);
  });

  it("lists namespaces with prefix, suffix and maxDepth", async () => {
    const store = new InMemoryStore();
    await store.put(["a", "b", "c"], "k", {});
    await store.put(["a", "b", "d"], "k", {});
    await store.put(["x", "c"], "k", {});
    expect(await store.listNamespaces()).toStrictEqual([
      ["a", "b", "c"],
      ["a", "b", "d"],
      ["x", "c"],
    ]);
    expect(await store.listNamespaces({ prefix: ["a"], maxDepth: 2 })).toStrictEqual([["a", "b"]]);
    expect(await store.listNamespaces({ suffix: ["c"] })).toStrictEqual([
      ["a", "b", "c"],
      ["x", "c"],
    ]);
    expect(await store.listNamespaces({ limit: 1, offset: 1 })).toStrictEqual([["a", "b", "d"]]);
  });

  it("rejects empty namespace labels and keys with InvalidIdentifierError", async () => {
    const store = new InMemoryStore();
    await expect(store.put(["ok", ""], "k", {})).rejects.toBeInstanceOf(InvalidIdentifierError);
    await expect(store.put(["ok"], "", {})).rejects.toBeInstanceOf(InvalidIdentifierError);
    await expect(store.get("users" as unknown as string[], "k")).rejects.toBeInstanceOf(
      InvalidIdentifierError,
    );
  });

  it("is what getStore() returns inside a workflow, shared across threads", async () => {
    const store = new InMemoryStore();
    const workflow = entrypoint(
      { name: "remember", checkpointer: new MemorySaver(), store },
      async (name: string) => {
        const s = getStore()!;
        const seen = (await s.get(["visits"], name))?.value.count as number | undefined;
        await s.put(["visits"], name, { count: (seen ?? 0) + 1 });
        return (seen ?? 0) + 1;
      },
    );
    expect(await workflow.invoke("ada", { configurable: { thread_id: "a" } })).toBe(1);
    expect(await workflow.invoke("ada", { configurable: { thread_id: "b" } })).toBe(2);
    const noStore = entrypoint({ name: "none", checkpointer: new MemorySaver() }, async () =>
      getStore(),
    );
    expect(await noStore.invoke("x", { configurable: { thread_id: "c" } })).toBeUndefined();
  });
});
