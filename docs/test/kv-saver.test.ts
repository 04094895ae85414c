// The saver that "Write your own saver" builds, run for real: its code blocks
// are assembled into files as samples.test.ts assembles them (which only
// type-checks them), then KvSaver goes through Savepoint's conformance suite
// (every group), LangGraph's checkpoint validation suite, and the LangGraph
// program suite. A rule the guide teaches wrong fails here.
//
// LangGraph's validation suite calls vitest's `describe`, `it`, `expect`…
// as globals. This file sets them on globalThis before importing it; the
// shared config keeps `globals` off, and vitest isolates test files (the
// default), so no other file sees them.
import { join } from "node:path";
import type { BaseCheckpointSaver } from "@langchain/langgraph-checkpoint";
import type { CheckpointSaverTestInitializer } from "@langchain/langgraph-checkpoint-validation";
import { describeSaverConformance } from "@savepoint/conformance";
import { describeLangGraphPrograms, exposeVitestGlobals } from "@savepoint/conformance/langgraph";
import type { CheckpointSaver } from "@savepoint/core";
import { describe, expect, it } from "vitest";
import { readSamples, SAMPLES_CACHE, sampleFiles, writeSampleTree } from "./samples.js";

const GUIDE = "guides/write-your-own-saver.md";
// Not the directory samples.test.ts writes: the two files may run at once.
const DIR = join(SAMPLES_CACHE, "savepoint-kv-saver");
writeSampleTree(DIR, sampleFiles(readSamples(GUIDE), DIR));

type KvSaver = CheckpointSaver & BaseCheckpointSaver;
interface KvSaverModule {
  KvStore: new () => object;
  KvSaver: new (store: object) => KvSaver;
}
const { KvSaver, KvStore } = (await import(join(DIR, "kv-saver.ts"))) as KvSaverModule;
// The guide's own initializer: one store behind every saver it creates.
// Typed as what it is, a name and `create`: both suites take that.
const init = (await import(join(DIR, "kv-saver.conformance.ts"))).default as {
  name: string;
  create: () => KvSaver;
};

exposeVitestGlobals();
const { validate, deltaChannelHistoryTests } = await import(
  "@langchain/langgraph-checkpoint-validation"
);

describe("the guide's KvSaver", () => {
  it("is assembled from the guide", () => {
    expect(init.name).toBe("KvSaver");
    expect(JSON.stringify({ saver: new KvSaver(new KvStore()) })).toBe('{"saver":"[KvSaver]"}');
  });
});

describeSaverConformance(init);

// Each block of LangGraph's suite gets a saver with a store of its own, as
// the guide says. The name is the guide's: the suite's skip lists are keyed by
// name, and KvSaver is on none of them.
const initializer: CheckpointSaverTestInitializer<KvSaver> = {
  checkpointerName: "KvSaver",
  createCheckpointer: () => new KvSaver(new KvStore()),
};
validate(initializer);
deltaChannelHistoryTests(initializer);

// Real LangGraph graphs on the guide's initializer, as the guide's CI file runs them.
describeLangGraphPrograms(init);
