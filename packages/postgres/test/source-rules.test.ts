// The rule for source strings, on its own: what each form is taken for, why
// a string is refused, and what redaction leaves of it.
import { describe, expect, it } from "vitest";
import { parseSource, redactSource } from "../src/source.js";

const PASSWORD = "hunter2-s3cr3t";

describe("the source rule", () => {
  it("says what was wrong with each", () => {
    const reason = (source: string) => {
      try {
        parseSource(source);
      } catch (e) {
        return (e as Error).message;
      }
      return "accepted";
    };
    expect(reason(" postgresql://h/db")).toContain("leading or trailing whitespace");
    expect(reason("mysql://h/db")).toContain('"mysql:" is not a scheme PostgresSaver knows');
    expect(reason("postgresql:/h/db")).toContain("starts like a URL");
    expect(reason("postgres//x")).toContain('holds "//"');
    expect(reason("postgresql://h:port/db")).toContain("not a well-formed postgres:// URL");
    expect(reason("a:b")).toContain('cannot hold ":"');
  });

  it("accepts paths as directories and URLs as URLs", () => {
    const kind = (source: string) => parseSource(source).kind;
    for (const dir of [
      "data/pglite",
      ".savepoint/pglite",
      "./postgres//x",
      "../up/one",
      ".",
      "/var/lib/app: data",
      "./pg:5432",
      "my data",
      "db@home",
    ]) {
      expect(kind(dir), dir).toBe("directory");
    }
    expect(kind("memory://")).toBe("memory");
    for (const url of [
      "postgres://h/db",
      "POSTGRESQL://u:p@h:5433/db?sslmode=require",
      `postgresql://app:${PASSWORD}@h1:5432,h2:5433/app`,
      "postgresql://",
      "postgresql://[::1]:5432/db",
      `postgresql://app:p@ss@word@h/db`,
    ]) {
      expect(kind(url), url).toBe("url");
    }
    expect(parseSource(`postgresql://app:${PASSWORD}@h1:5432,h2/app`).location).toBe(
      "Postgres at h1:5432,h2:5432/app",
    );
  });

  it("redacts everything a password could be in, whatever the form", () => {
    expect(redactSource(`postgresql://u:${PASSWORD}@h:5432/db`)).toBe("postgresql://***@h:5432/db");
    expect(redactSource(`postgresql://u:p@${PASSWORD}@h/db`)).toBe("postgresql://***@h/db");
    expect(redactSource(`postgresql://u:${PASSWORD}/x@h/db`)).toBe("postgresql://***@h/db");
    expect(redactSource(`mysql://root:${PASSWORD}`)).toBe("mysql://root:***");
    expect(redactSource(`postgresql://h/db?password=${PASSWORD}`)).toBe("postgresql://h/db?***");
    expect(redactSource(` pg:/${PASSWORD}@h`)).toBe(" pg:/***@h");
    expect(redactSource(`pg:${PASSWORD}`)).toBe("pg:***");
    expect(redactSource(`postgresql:/u:${PASSWORD}`)).toBe("postgresql:/u:***");
  });
});
