// The inbox's HTTP surface, through the web-standard handler and through
// Node's http (toNodeListener): who may call it, what it refuses, and the
// answers' semantics (pending interrupts only, 409 when someone was first).
import { describe, expect, it } from "vitest";
import { ANSWER_HEADER, createInbox, tokenAuthorizer } from "../src/index.js";
import { essayReview, seededInbox, serve, XSS_TOPIC } from "./fixtures.js";

const BASE = "http://127.0.0.1";

// The API's bodies, read loosely: the tests check their fields one by one.
const read = (response: Response): Promise<any> => response.json();

function get(path: string, token?: string) {
  return new Request(`${BASE}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
}

function answer(
  path: string,
  token: string | undefined,
  body: unknown,
  extra: Record<string, string> = {},
) {
  return new Request(`${BASE}${path}`, {
    method: "POST",
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      "content-type": "application/json",
      [ANSWER_HEADER]: "answer",
      ...extra,
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

async function pendingId(
  handler: (r: Request) => Promise<Response>,
  token: string,
  threadId: string,
) {
  const body = await read(await handler(get(`/api/workflows/review/threads/${threadId}`, token)));
  return body.thread.interrupts[0].id as string;
}

describe("inbox API", () => {
  it("has no open default: createInbox without authorize throws", () => {
    const { workflow } = essayReview();
    expect(() => createInbox({ workflows: [workflow] } as never)).toThrow(/authorize.*required/);
    expect(() => tokenAuthorizer("short")).toThrow(/at least 16/);
  });

  it("refuses the unauthorized with 401 and no detail, on the API and the page", async () => {
    const { handler, token } = await seededInbox();
    for (const request of [
      get("/api/threads?workflow=review"),
      get("/api/threads?workflow=review", `${token}x`),
      get("/"),
      get("/?token=wrong-token-wrong-token"),
      answer("/api/workflows/review/threads/essay-cats/answers", undefined, {
        answers: { x: true },
      }),
    ]) {
      const response = await handler(request);
      expect(response.status).toBe(401);
      expect(await response.text()).not.toMatch(/essay|cats|stack/i);
    }
    // The token in the URL opens the page only, never the API.
    expect((await handler(get(`/?token=${token}`))).status).toBe(200);
    expect((await handler(get(`/api/threads?workflow=review&token=${token}`))).status).toBe(401);
    // An authorize that throws refuses, too.
    const { workflow } = essayReview();
    const throwing = createInbox({
      workflows: [workflow],
      authorize: () => {
        throw new Error("db down");
      },
    });
    expect((await throwing(get("/"))).status).toBe(401);
  });

  it("lists threads by status with interrupts as plain JSON", async () => {
    const { handler, token } = await seededInbox();
    const waiting = await read(
      await handler(get("/api/threads?workflow=review&status=interrupted", token)),
    );
    expect(waiting.threads.map((t: { threadId: string }) => t.threadId).sort()).toEqual([
      "essay-cats",
      "essay-twice",
      "essay-xss",
    ]);
    const xss = waiting.threads.find((t: { threadId: string }) => t.threadId === "essay-xss");
    expect(xss.interrupts[0].value.essay).toBe(`An essay about topic: ${XSS_TOPIC}`);
    const done = await read(await handler(get("/api/threads?workflow=review&status=done", token)));
    expect(done.threads.map((t: { threadId: string }) => t.threadId)).toEqual(["essay-dogs"]);
    const bad = await handler(get("/api/threads?workflow=review&status=waiting", token));
    expect(bad.status).toBe(400);
    expect((await read(bad)).error.message).toMatch(/status "waiting" is not one of/);
  });

  it("answers an interrupt: the run continues in this process and the result comes back", async () => {
    const { handler, token, workflow } = await seededInbox();
    const id = await pendingId(handler, token, "essay-cats");
    const response = await handler(
      answer("/api/workflows/review/threads/essay-cats/answers", token, {
        answers: { [id]: true },
      }),
    );
    expect(response.status).toBe(200);
    const body = await read(response);
    expect(body.outcome).toBe("done");
    expect(body.result).toEqual({ essay: "An essay about topic: cats", isApproved: true });
    expect(body.thread.status).toBe("done");
    expect((await workflow.thread("essay-cats"))?.status).toBe("done");
    // A workflow with a second question waits again, and says on what.
    const twice = await pendingId(handler, token, "essay-twice");
    const next = await read(
      await handler(
        answer("/api/workflows/review/threads/essay-twice/answers", token, {
          answers: { [twice]: false },
        }),
      ),
    );
    expect(next.outcome).toBe("interrupted");
    expect(next.interrupts[0].value).toEqual({ question: "second look at twice over?" });
  });

  it("someone answered first: 409 with a message a person understands", async () => {
    const { handler, token } = await seededInbox();
    const id = await pendingId(handler, token, "essay-cats");
    const url = "/api/workflows/review/threads/essay-cats/answers";
    const [a, b] = await Promise.all([
      handler(answer(url, token, { answers: { [id]: true } })),
      handler(answer(url, token, { answers: { [id]: false } })),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const loser = a.status === 409 ? a : b;
    expect((await read(loser)).error.message).toMatch(/answered .*first/);
    const late = await handler(answer(url, token, { answers: { [id]: true } }));
    expect(late.status).toBe(409);
  });

  it("refuses an interrupt id that is not pending on that thread", async () => {
    const { handler, token } = await seededInbox();
    const other = await pendingId(handler, token, "essay-xss");
    for (const id of [other, "0123456789abcdef0123456789abcdef", "approve"]) {
      const response = await handler(
        answer("/api/workflows/review/threads/essay-cats/answers", token, {
          answers: { [id]: true },
        }),
      );
      expect(response.status).toBe(409);
      expect((await read(response)).error.message).toMatch(/no longer waiting/);
    }
  });

  it("404 for an unknown thread or workflow; 400/413/415/403 for bad requests", async () => {
    const { handler, token } = await seededInbox({ maxBodyBytes: 1024 });
    expect((await handler(get("/api/workflows/review/threads/nope", token))).status).toBe(404);
    expect((await handler(get("/api/workflows/other/threads/essay-cats", token))).status).toBe(404);
    expect((await handler(get("/api/threads?workflow=other", token))).status).toBe(404);
    expect((await handler(get("/elsewhere", token))).status).toBe(404);
    const url = "/api/workflows/review/threads/essay-cats/answers";
    expect((await handler(answer(url, token, "{not json"))).status).toBe(400);
    expect((await handler(answer(url, token, { answers: {} }))).status).toBe(400);
    expect((await handler(answer(url, token, { answers: { x: "y".repeat(5_000) } }))).status).toBe(
      413,
    );
    expect(
      (await handler(answer(url, token, { answers: { x: 1 } }, { "content-type": "text/plain" })))
        .status,
    ).toBe(415);
    const noHeader = new Request(`${BASE}${url}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: "{}",
    });
    expect((await handler(noHeader)).status).toBe(403);
    expect(
      (
        await handler(
          answer("/api/workflows/review/threads/nope/answers", token, { answers: { x: 1 } }),
        )
      ).status,
    ).toBe(404);
  });

  it("a run that fails after the answer: no secret, no stack in the response", async () => {
    const { handler, token, errors } = await seededInbox();
    const id = await pendingId(handler, token, "essay-cats");
    const response = await handler(
      answer("/api/workflows/review/threads/essay-cats/answers", token, {
        answers: { [id]: "explode" },
      }),
    );
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(JSON.parse(text)).toMatchObject({ outcome: "failed", error: { name: "Error" } });
    expect(text).not.toMatch(/secret-password|at .*\.ts|stack/);
    expect(errors).toEqual([]);
  });

  it("every response carries the security headers; the page allows only its own script", async () => {
    const { handler, token } = await seededInbox();
    const page = await handler(get(`/?token=${token}`));
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/script-src 'sha256-[^']+'/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    for (const response of [
      page,
      await handler(get("/api/threads?workflow=review", token)),
      await handler(get("/")),
    ]) {
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(response.headers.get("x-frame-options")).toBe("DENY");
      expect(response.headers.get("access-control-allow-origin")).toBeNull();
    }
  });

  it("serves through Node's http with toNodeListener, body limit included", async () => {
    const { handler, token } = await seededInbox({ maxBodyBytes: 2048 });
    const server = await serve(handler);
    try {
      const list = await fetch(`${server.base}/api/threads?workflow=review&status=interrupted`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(list.status).toBe(200);
      expect((await read(list)).threads).toHaveLength(3);
      const big = await fetch(`${server.base}/api/workflows/review/threads/essay-cats/answers`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          [ANSWER_HEADER]: "answer",
        },
        body: JSON.stringify({ answers: { x: "z".repeat(100_000) } }),
      });
      expect(big.status).toBe(413);
      expect((await fetch(`${server.base}/api/threads?workflow=review`)).status).toBe(401);
    } finally {
      await server.close();
    }
  });
});
