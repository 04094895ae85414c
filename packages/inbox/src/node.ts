// Node's `http` speaks IncomingMessage/ServerResponse, not Request/Response:
// this adapter turns one into the other so the inbox mounts in a plain
// `http.createServer`. The body streams through unread; the inbox itself
// enforces its size limit as it reads.
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";

/**
 * A Node `http` request listener that serves `handler` (the inbox, or any
 * web-standard handler).
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * createServer(toNodeListener(inbox)).listen(8080, "127.0.0.1");
 * ```
 */
export function toNodeListener(
  handler: (request: Request) => Promise<Response>,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const host = req.headers.host ?? "127.0.0.1";
    const url = new URL(req.url ?? "/", `http://${host}`);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
    }
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    const request = new Request(url, {
      method: req.method,
      headers,
      body: hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : undefined,
      // Required by Node's fetch for a streamed body.
      ...(hasBody ? { duplex: "half" } : {}),
    } as RequestInit);
    handler(request)
      .then(async (response) => {
        res.statusCode = response.status;
        for (const [name, value] of response.headers) res.setHeader(name, value);
        res.end(Buffer.from(await response.arrayBuffer()));
      })
      .catch(() => {
        if (!res.headersSent) res.statusCode = 500;
        res.end();
      });
  };
}
