/**
 * A review inbox for Savepoint: the threads that wait for people, in a
 * browser. `createInbox` returns a web-standard handler serving a JSON API
 * and one page; mount it in any server (Node's `http` through
 * `toNodeListener`, Hono, Next.js route handlers, Bun, Deno).
 *
 * ```ts
 * import { createServer } from "node:http";
 * import { createInbox, newInboxToken, toNodeListener, tokenAuthorizer } from "@savepoint/inbox";
 *
 * const token = newInboxToken();
 * const inbox = createInbox({ workflows: [review], authorize: tokenAuthorizer(token) });
 * createServer(toNodeListener(inbox)).listen(8080, "127.0.0.1");
 * console.log(`http://127.0.0.1:8080/?token=${token}`);
 * ```
 *
 * @module
 */
export { type Authorize, newInboxToken, tokenAuthorizer } from "./auth.js";
export { toDisplay } from "./display.js";
export { ANSWER_HEADER, createInbox, type InboxOptions } from "./inbox.js";
export { toNodeListener } from "./node.js";
