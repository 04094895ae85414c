// The inbox as one web-standard handler: `(request) => Promise<Response>`.
// It checks who asks (the caller's `authorize`, required), refuses what a
// page on another site could send (state changes need a custom header and a
// JSON body, which a cross-site form cannot produce and which we never allow
// through CORS), bounds request bodies, and maps every failure to a status
// and a message a person can act on, never a stack or a server detail.
import {
  Command,
  isPaused,
  NothingToResumeError,
  SavepointError,
  ThreadBusyError,
  type ThreadStatus,
  UnknownInterruptIdError,
  type Workflow,
} from "@savepoint/core";
import type { Authorize } from "./auth.js";
import { toDisplay } from "./display.js";
import { renderPage } from "./page.js";
import { HttpError, json, readJsonBody, SECURITY_HEADERS } from "./responses.js";

/**
 * The header every answer must carry, with the value `"answer"` (a form on
 * another site cannot set it).
 *
 * @example
 * ```ts
 * fetch(url, { method: "POST", headers: { [ANSWER_HEADER]: "answer", "content-type": "application/json" }, body });
 * ```
 */
export const ANSWER_HEADER = "x-savepoint-inbox";

/**
 * Options of {@link createInbox}.
 *
 * @example
 * ```ts
 * const options: InboxOptions = { workflows: [review], authorize: tokenAuthorizer(token) };
 * ```
 */
export interface InboxOptions {
  /** The workflows whose threads the inbox shows and resumes (unique names). */
  workflows: Workflow<any, any>[];
  /** Required: whether a request may use the inbox (see `tokenAuthorizer`). */
  authorize: Authorize;
  /** Where the inbox is mounted, such as `"/inbox"` (default: the root). */
  basePath?: string;
  /** The largest request body accepted, in bytes (default 64 KiB). */
  maxBodyBytes?: number;
  /** The page's title (default "Savepoint inbox"). */
  title?: string;
  /** Called with errors the inbox hides from the response (for your logs). */
  onError?: (error: unknown, request: Request) => void;
}

/**
 * A web-standard request handler for the inbox: a JSON API (`/api/…`) and
 * one page (`/`). Mount it in any server: Node's `http` through
 * {@link toNodeListener}, Hono, Next.js route handlers, Bun, Deno.
 *
 * @example
 * ```ts
 * const inbox = createInbox({ workflows: [review], authorize: tokenAuthorizer(token) });
 * const response = await inbox(new Request("http://127.0.0.1/api/threads?workflow=review"));
 * ```
 */
export function createInbox(options: InboxOptions): (request: Request) => Promise<Response> {
  if (typeof options?.authorize !== "function") {
    throw new TypeError(
      "createInbox: `authorize` is required (there is no open default): pass tokenAuthorizer(token), or a function that checks your own sign-in.",
    );
  }
  const workflows = new Map<string, Workflow<any, any>>();
  for (const workflow of options.workflows ?? []) {
    if (workflows.has(workflow.name)) {
      throw new TypeError(`createInbox: two workflows are named "${workflow.name}".`);
    }
    workflows.set(workflow.name, workflow);
  }
  if (workflows.size === 0) throw new TypeError("createInbox: pass at least one workflow.");
  const base = (options.basePath ?? "").replace(/\/+$/, "");
  const maxBody = options.maxBodyBytes ?? 64 * 1024;
  const title = options.title ?? "Savepoint inbox";

  const workflowNamed = (name: string | null) => {
    const workflow = name === null ? undefined : workflows.get(name);
    if (!workflow)
      throw new HttpError(404, "UNKNOWN_WORKFLOW", "No workflow of that name is served here.");
    return workflow;
  };

  async function route(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (!url.pathname.startsWith(base))
      throw new HttpError(404, "NOT_FOUND", "Nothing is served at this address.");
    const path = url.pathname.slice(base.length) || "/";
    const parts = path.split("/").filter(Boolean).map(decodeSegment);
    if (request.method === "GET" && parts.length === 0) {
      return renderPage({ title, basePath: base, workflows: [...workflows.keys()] });
    }
    if (parts[0] !== "api")
      throw new HttpError(404, "NOT_FOUND", "Nothing is served at this address.");
    // GET /api/threads?workflow=&status=&cursor=&limit=
    if (parts.length === 2 && parts[1] === "threads" && request.method === "GET") {
      const workflow = workflowNamed(url.searchParams.get("workflow"));
      const status = url.searchParams.getAll("status") as ThreadStatus[];
      const limit = url.searchParams.get("limit");
      const page = await workflow.threadsPage({
        ...(status.length > 0 ? { status } : {}),
        ...(limit !== null ? { limit: Number(limit) } : {}),
        ...(url.searchParams.get("cursor") ? { cursor: url.searchParams.get("cursor")! } : {}),
      });
      return json(200, {
        threads: page.threads.map(summaryForDisplay),
        cursor: page.cursor ?? null,
      });
    }
    // /api/workflows/:workflow/threads/:threadId[/answers]
    if (parts.length >= 4 && parts[1] === "workflows" && parts[3] === "threads") {
      const workflow = workflowNamed(parts[2]!);
      const threadId = parts[4];
      if (threadId === undefined) throw new HttpError(404, "NOT_FOUND", "Name a thread.");
      if (parts.length === 5 && request.method === "GET") return readThread(workflow, threadId);
      if (parts.length === 6 && parts[5] === "answers") {
        if (request.method !== "POST")
          throw new HttpError(405, "METHOD_NOT_ALLOWED", "Answers are sent with POST.");
        if (request.headers.get(ANSWER_HEADER) !== "answer") {
          throw new HttpError(
            403,
            "MISSING_HEADER",
            `Answers need the ${ANSWER_HEADER}: answer header.`,
          );
        }
        const body = await readJsonBody(request, maxBody);
        return answer(workflow, threadId, body);
      }
    }
    throw new HttpError(404, "NOT_FOUND", "Nothing is served at this address.");
  }

  return async (request) => {
    let response: Response;
    try {
      let allowed = false;
      try {
        allowed = (await options.authorize(request)) === true;
      } catch (error) {
        options.onError?.(error, request);
      }
      response = allowed
        ? await route(request)
        : json(401, { error: { code: "UNAUTHORIZED", message: "Sign in to use the inbox." } });
    } catch (error) {
      response = errorResponse(error, request, options.onError);
    }
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
      if (!response.headers.has(name)) response.headers.set(name, value);
    }
    return response;
  };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, "BAD_PATH", "The address is not valid.");
  }
}

function summaryForDisplay(summary: Awaited<ReturnType<Workflow<any, any>["thread"]>> & object) {
  return {
    ...summary,
    interrupts: summary.interrupts.map((i) => ({ id: i.id, value: toDisplay(i.value) })),
    metadata: toDisplay(summary.metadata),
  };
}

// The thread's record, or 404: reading or answering a thread it does not know.
async function existingThread(workflow: Workflow<any, any>, threadId: string) {
  const summary = await workflow.thread(threadId);
  if (!summary) {
    throw new HttpError(
      404,
      "UNKNOWN_THREAD",
      "There is no such thread (it may have been deleted).",
    );
  }
  return summary;
}

async function readThread(workflow: Workflow<any, any>, threadId: string): Promise<Response> {
  const summary = await existingThread(workflow, threadId);
  const config = { configurable: { thread_id: threadId } };
  const state = await workflow.getState(config);
  const history: { checkpointId: unknown; createdAt: unknown; step: unknown; source: unknown }[] =
    [];
  for await (const snapshot of workflow.getStateHistory(config, { limit: 50 })) {
    history.push({
      checkpointId: snapshot.config.configurable?.checkpoint_id ?? null,
      createdAt: snapshot.createdAt ?? null,
      step: snapshot.metadata?.step ?? null,
      source: snapshot.metadata?.source ?? null,
    });
  }
  return json(200, {
    thread: summaryForDisplay(summary),
    values: toDisplay(state.values),
    history,
  });
}

async function answer(
  workflow: Workflow<any, any>,
  threadId: string,
  body: unknown,
): Promise<Response> {
  const answers = (body as { answers?: unknown } | null)?.answers;
  if (
    typeof answers !== "object" ||
    answers === null ||
    Array.isArray(answers) ||
    Object.keys(answers).length === 0
  ) {
    throw new HttpError(
      400,
      "BAD_ANSWER",
      'Send { "answers": { "<interrupt id>": <your answer> } } with at least one answer.',
    );
  }
  const summary = await existingThread(workflow, threadId);
  const pending = new Set(summary.interrupts.map((i) => i.id));
  if (summary.status !== "interrupted") {
    throw new HttpError(
      409,
      "NOT_WAITING",
      "This thread is not waiting for an answer any more: someone may have answered it first. Reload to see where it is.",
    );
  }
  for (const id of Object.keys(answers)) {
    if (!pending.has(id)) {
      throw new HttpError(
        409,
        "NOT_PENDING",
        "That question is no longer waiting for an answer: someone may have answered it first. Reload to see where the thread is.",
      );
    }
  }
  const config = { configurable: { thread_id: threadId } };
  let outcome: Record<string, unknown>;
  try {
    const result = await workflow.invoke(new Command({ resume: answers }), config);
    outcome = isPaused(result)
      ? {
          outcome: "interrupted",
          interrupts: result.__interrupt__.map((i) => ({ id: i.id, value: toDisplay(i.value) })),
        }
      : { outcome: "done", result: toDisplay(result) };
  } catch (error) {
    if (
      error instanceof ThreadBusyError ||
      error instanceof NothingToResumeError ||
      error instanceof UnknownInterruptIdError
    ) {
      throw new HttpError(
        409,
        "ANSWERED_ELSEWHERE",
        "Someone else answered this thread first (or is answering it right now). Reload to see where it is.",
      );
    }
    if (
      error instanceof SavepointError &&
      (error.code === "STORAGE_UNAVAILABLE" || error.code === "STORAGE_ERROR")
    )
      throw error;
    // The workflow's own code failed after the answer was saved: the thread is "failed".
    outcome = { outcome: "failed", error: { name: error instanceof Error ? error.name : "Error" } };
  }
  const after = await workflow.thread(threadId);
  return json(200, { ...outcome, thread: after ? summaryForDisplay(after) : null });
}

function errorResponse(
  error: unknown,
  request: Request,
  onError: InboxOptions["onError"],
): Response {
  if (error instanceof HttpError)
    return json(error.status, { error: { code: error.code, message: error.message } });
  if (error instanceof SavepointError && error.code === "INVALID_ARGUMENT") {
    // A bad listing query (status, limit, cursor): the message says what to pass.
    return json(400, { error: { code: error.code, message: error.message } });
  }
  onError?.(error, request);
  const unavailable = error instanceof SavepointError && error.code === "STORAGE_UNAVAILABLE";
  return json(unavailable ? 503 : 500, {
    error: {
      code: unavailable ? "STORAGE_UNAVAILABLE" : "INTERNAL",
      message: unavailable
        ? "The inbox cannot reach its storage right now. Try again in a moment."
        : "The inbox could not do that. The details are in the server's log.",
    },
  });
}
