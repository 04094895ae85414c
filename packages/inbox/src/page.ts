// The inbox's one page: the threads waiting for people, each interrupt's
// payload shown readably, approve / reject or a JSON answer, and what the
// run did next. Its script and style are inline and allowed by hash in the
// content security policy, so nothing else can run on the page; every value
// from the server is put on the page as text (textContent), never as HTML.
import { createHash } from "node:crypto";
import { PAGE_SCRIPT } from "./page-script.js";

const STYLE = `
:root { color-scheme: light dark; --line: #8884; --accent: #2563eb; font-family: system-ui, sans-serif; }
* { box-sizing: border-box; }
body { margin: 0; line-height: 1.45; }
header { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; padding: .75rem 1rem; border-bottom: 1px solid var(--line); }
header h1 { font-size: 1.15rem; margin: 0 auto 0 0; }
main { display: grid; grid-template-columns: minmax(16rem, 24rem) 1fr; min-height: calc(100vh - 3.5rem); }
nav[aria-label="Statuses"] { display: flex; flex-wrap: wrap; gap: .25rem; }
button, select, textarea { font: inherit; }
button { padding: .35rem .7rem; border: 1px solid var(--line); border-radius: .4rem; background: transparent; color: inherit; cursor: pointer; }
button[aria-pressed="true"], button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
button:focus-visible, select:focus-visible, textarea:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
#threads { list-style: none; margin: 0; padding: 0; border-right: 1px solid var(--line); overflow: auto; }
#threads li button { display: block; width: 100%; text-align: left; border: 0; border-bottom: 1px solid var(--line); border-radius: 0; padding: .6rem 1rem; }
#threads li button[aria-current="true"] { background: #2563eb22; }
.meta { font-size: .85rem; opacity: .75; display: block; overflow-wrap: anywhere; }
.id { font-weight: 600; overflow-wrap: anywhere; }
#detail { padding: 1rem 1.25rem; overflow: auto; }
.interrupt { border: 1px solid var(--line); border-radius: .5rem; padding: .75rem 1rem; margin: .75rem 0; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem .75rem; margin: .5rem 0; }
dt { font-weight: 600; }
dd { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #8881; padding: .5rem; border-radius: .4rem; }
textarea { width: 100%; min-height: 5rem; }
.actions { display: flex; flex-wrap: wrap; gap: .5rem; margin-top: .5rem; }
[role="alert"] { color: #b91c1c; }
.empty { padding: 1rem; opacity: .7; }
@media (max-width: 44rem) {
  main { grid-template-columns: 1fr; }
  #threads { border-right: 0; border-bottom: 1px solid var(--line); max-height: 45vh; }
}
`;

function sha256(text: string): string {
  return `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
}

const SCRIPT_HASH = sha256(PAGE_SCRIPT);
const STYLE_HASH = sha256(STYLE);

const CSP = [
  "default-src 'none'",
  `script-src ${SCRIPT_HASH}`,
  `style-src ${STYLE_HASH}`,
  "connect-src 'self'",
  // The empty data: icon keeps the browser from asking for /favicon.ico without the token.
  "img-src data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The page, with what its script needs to know as inert JSON. */
export function renderPage(config: {
  title: string;
  basePath: string;
  workflows: string[];
}): Response {
  // JSON inside <script type="application/json">: "<" escaped, so no value can close the element.
  const data = JSON.stringify(config).replace(/</g, "\\u003c");
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${escapeHtml(config.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
  <h1>${escapeHtml(config.title)}</h1>
  <label>Workflow <select id="workflow"></select></label>
  <nav aria-label="Statuses" id="statuses"></nav>
</header>
<p role="alert" id="error" hidden></p>
<main>
  <ul id="threads" aria-label="Threads"></ul>
  <section id="detail" aria-live="polite"><p class="empty">Choose a thread to see what it waits for.</p></section>
</main>
<script type="application/json" id="inbox-config">${data}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>`;
  return new Response(html, {
    status: 200,
    headers: { "content-type": "text/html; charset=utf-8", "content-security-policy": CSP },
  });
}
