// Who may use the inbox. The inbox has no open default: `createInbox` needs
// an `authorize` function. For a single operator (the demo, a team tool on a
// private network) `tokenAuthorizer` checks a bearer token; behind your own
// sign-in, pass a function that checks your session instead. Either way the
// inbox accepts state-changing requests only with a custom header, which a
// page on another site cannot send (see inbox.ts).
import { randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Decides whether a request may use the inbox. Return `true` to allow it;
 * `false` (or a throw) refuses it with 401 and no detail.
 *
 * @example
 * ```ts
 * const authorize: Authorize = async (request) => (await mySession(request))?.role === "reviewer";
 * ```
 */
export type Authorize = (request: Request) => boolean | Promise<boolean>;

/**
 * A new random token for {@link tokenAuthorizer}: 32 bytes, base64url.
 *
 * @example
 * ```ts
 * const token = newInboxToken();
 * ```
 */
export function newInboxToken(): string {
  return randomBytes(32).toString("base64url");
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * An {@link Authorize} that accepts `Authorization: Bearer <token>`, and, for
 * loading the page itself (a `GET` outside `/api/`), `?token=<token>` in the
 * URL, so the printed link opens the page (which then drops the token from
 * the address bar and sends it as a header). Compared in constant time.
 *
 * @example
 * ```ts
 * const token = newInboxToken();
 * const inbox = createInbox({ workflows: [review], authorize: tokenAuthorizer(token) });
 * console.log(`http://127.0.0.1:8080/?token=${token}`);
 * ```
 */
export function tokenAuthorizer(token: string): Authorize {
  if (typeof token !== "string" || token.length < 16) {
    throw new TypeError("tokenAuthorizer: the token must be a string of at least 16 characters.");
  }
  return (request) => {
    const header = request.headers.get("authorization");
    if (header?.startsWith("Bearer ")) return sameSecret(header.slice(7), token);
    const url = new URL(request.url);
    const isPage = request.method === "GET" && !url.pathname.includes("/api/");
    const fromQuery = url.searchParams.get("token");
    return isPage && fromQuery !== null && sameSecret(fromQuery, token);
  };
}
