// Every exported symbol of every public package carries TSDoc with an
// `@example`. (typedoc's own `notDocumented` validation, run by `pnpm docs`,
// checks that members are documented; it does not look for examples.)
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { exportsWithoutExamples } from "./exports.js";

const PACKAGES = ["core", "memory", "postgres", "redis", "conformance", "inbox"];

describe("TSDoc of the public packages", () => {
  for (const name of PACKAGES) {
    it(`@savepoint/${name}: every export has a doc comment with an @example`, () => {
      expect(
        exportsWithoutExamples(join(import.meta.dirname, "..", "..", "packages", name)),
      ).toStrictEqual([]);
    }, 60_000);
  }
});
