import type { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll } from "vitest";
import { PostgresSaver, type PostgresSaverOptions } from "../src/index.js";
import { describeDamageCases } from "./damage-cases.js";
import { pglite, randomName } from "./fixtures.js";
import { describeRetentionCases, type IsolatedSchema } from "./retention-cases.js";
import { type CaseContext, describeSaverCases } from "./saver-cases.js";
import { describeSweepCases } from "./sweep-cases.js";
import { describeThreadRecordCases } from "./thread-record-cases.js";

// One PGlite for the whole file (it takes seconds to start); tests isolate by thread id.
let pg: PGlite;
let saver: PostgresSaver;
let statements = 0;

beforeAll(async () => {
  pg = await pglite();
  // Count every statement the saver sends: PGlite has no query hook, so wrap
  // the methods. A prepared statement runs as one protocol message batch
  // that starts with Bind ("B"); preparing it (Parse, "P") is not a statement.
  const query = pg.query.bind(pg);
  pg.query = ((...args: Parameters<PGlite["query"]>) => {
    statements++;
    return query(...args);
  }) as PGlite["query"];
  const protocol = pg.execProtocolStream.bind(pg);
  pg.execProtocolStream = ((...args: Parameters<PGlite["execProtocolStream"]>) => {
    if (args[0][0] === "B".charCodeAt(0)) statements++;
    return protocol(...args);
  }) as PGlite["execProtocolStream"];
  saver = new PostgresSaver(pg);
  await saver.setup();
});

afterAll(async () => {
  await saver?.close();
  await pg?.close();
});

const context: CaseContext = {
  saver: () => saver,
  queries: () => statements,
  make: (options?: PostgresSaverOptions) => new PostgresSaver(pg, options),
  raw: async (text, params = []) => (await pg.query<Record<string, unknown>>(text, params)).rows,
  schema: () => '"savepoint"',
};

describeSaverCases("PGlite", context);
describeDamageCases("PGlite", context);
describeThreadRecordCases("PGlite", context);

// Retention sweeps every thread of its schema: each case gets a schema of its own.
const retention = {
  isolated: async (): Promise<IsolatedSchema> => {
    const name = randomName("sp_retention");
    const savers: PostgresSaver[] = [];
    return {
      schema: `"${name}"`,
      make: (options?: PostgresSaverOptions) => {
        const made = new PostgresSaver(pg, { ...options, schema: name });
        savers.push(made);
        return made;
      },
      raw: async (text, params = []) =>
        (await pg.query<Record<string, unknown>>(text, params)).rows,
      destroy: async () => {
        for (const made of savers) await made.close();
        await pg.exec(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
      },
    };
  },
};

describeRetentionCases("PGlite", retention);
describeSweepCases("PGlite", retention);
