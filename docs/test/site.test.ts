// The built site, checked in a real browser: Debian's Chromium driven through
// playwright-core (never a downloaded browser), against the site served on
// loopback. The home page renders, search finds `interrupt`, every guide
// renders without console errors, and every internal link of every page
// resolves (fragments included). A screenshot of the home page is saved to
// test-artifacts/home.png.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, resolve, sep } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const DOCS_DIR = resolve(import.meta.dirname, "..");
const SITE_DIR = join(DOCS_DIR, "site");
const ARTIFACTS_DIR = join(DOCS_DIR, "test-artifacts");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

const required = process.env.REQUIRE_SERVICES === "1";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  const message =
    `Chromium not found at ${CHROMIUM}: install it with ` +
    "`apt-get install -y chromium` (Debian) or set CHROMIUM_PATH.";
  if (required) throw new Error(`${message} REQUIRE_SERVICES=1, so the browser test fails.`);
  console.warn(`\n!!! SKIPPING the docs browser test. ${message}\n`);
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json",
  ".png": "image/png",
  ".ico": "image/x-icon",
};

/** Path of the file a URL path names inside the site, or undefined when there is none. */
function fileFor(urlPath: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  const file = normalize(join(SITE_DIR, path));
  if (file !== SITE_DIR && !file.startsWith(SITE_DIR + sep)) return undefined;
  if (existsSync(file) && statSync(file).isDirectory()) {
    const index = join(file, "index.html");
    return existsSync(index) ? index : undefined;
  }
  return existsSync(file) ? file : undefined;
}

function serve(): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const file = fileFor(url.pathname);
    if (!file) {
      res.writeHead(404, { "content-type": "text/plain" }).end(`not found: ${url.pathname}`);
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    res.end(req.method === "HEAD" ? undefined : readFileSync(file));
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok(server)));
}

/** Every .html file of the site, as paths relative to its root. */
function pages(dir = SITE_DIR, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return pages(join(dir, entry.name), `${prefix}${entry.name}/`);
    return entry.name.endsWith(".html") ? [`${prefix}${entry.name}`] : [];
  });
}

/** Records console errors and uncaught page errors of one page. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  page.on("requestfailed", (request) =>
    errors.push(`request failed: ${request.url()} (${request.failure()?.errorText})`),
  );
  return errors;
}

describe.skipIf(!haveChromium)("the docs site in Chromium", () => {
  let server: Server;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(join(SITE_DIR, "index.html"))) {
      // `pnpm --filter @savepoint/docs test` builds the site first; this covers running vitest alone.
      execFileSync(
        join(DOCS_DIR, "node_modules", ".bin", "typedoc"),
        ["--options", "typedoc.json"],
        {
          cwd: DOCS_DIR,
          stdio: "inherit",
        },
      );
    }
    server = await serve();
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((ok) => (server ? server.close(ok) : ok(undefined)));
  });

  it("renders the home page, and saves a screenshot of it", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = watchErrors(page);
    const response = await page.goto(base);
    expect(response?.status()).toBe(200);
    await expect(page.title()).resolves.toMatch(/Savepoint/);
    await expect(page.locator(".tsd-typography").first().textContent()).resolves.toContain(
      "Durable workflows for TypeScript that pause for people.",
    );
    // The landing page links every guide, and the navigation lists them.
    for (const guide of ["Getting started", "Concepts", "Operations"]) {
      await expect(
        page.locator(".tsd-typography a", { hasText: guide }).count(),
      ).resolves.toBeGreaterThan(0);
    }
    // typedoc fills the side navigation from a script: wait for it, then find the guides in it.
    await page.waitForSelector("#tsd-nav-container a", { state: "attached" });
    await expect(page.locator("#tsd-nav-container").textContent()).resolves.toContain(
      "Getting started",
    );
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS_DIR, "home.png"), fullPage: false });
    expect(errors).toStrictEqual([]);
    await page.close();
  });

  it("search finds `interrupt` and opens its page", async () => {
    const page = await browser.newPage();
    const errors = watchErrors(page);
    await page.goto(base);
    await page.click("#tsd-search-trigger");
    await page.fill("#tsd-search-input", "interrupt");
    // The function `interrupt` of @savepoint/core, not the `Interrupt` interface listed next to it.
    const result = page.locator(
      '#tsd-search-results a[href$="functions/_savepoint_core.interrupt.html"]',
    );
    await result.waitFor();
    await result.click();
    await page.waitForURL(/interrupt\.html/);
    expect(new URL(page.url()).pathname).toBe("/functions/_savepoint_core.interrupt.html");
    await expect(page.locator("h1").first().textContent()).resolves.toContain("interrupt");
    await expect(page.locator(".tsd-signature").first().textContent()).resolves.toContain(
      "interrupt",
    );
    expect(errors).toStrictEqual([]);
    await page.close();
  });

  it("renders every guide without console errors", async () => {
    const guides = pages().filter((p) => p.startsWith("documents/"));
    // Every project document of typedoc.json has its page.
    const config = JSON.parse(readFileSync(join(DOCS_DIR, "typedoc.json"), "utf8"));
    expect(guides.length).toBe(config.projectDocuments.length);
    const page = await browser.newPage();
    const errors = watchErrors(page);
    for (const guide of guides) {
      const response = await page.goto(base + guide);
      expect(response?.status(), guide).toBe(200);
      await page.waitForSelector(".tsd-typography h1");
      // Code blocks are rendered, not left as raw fences.
      expect(await page.locator(".tsd-typography pre code").count(), guide).toBeGreaterThan(0);
      const text = (await page.locator(".tsd-typography").first().textContent()) ?? "";
      expect(text, guide).not.toMatch(/```|\{@link/);
    }
    expect(errors).toStrictEqual([]);
    await page.close();
  });

  it("resolves every internal link of every page, fragments included", async () => {
    const all = pages();
    const ids = new Map<string, Set<string>>();
    const idsOf = (file: string): Set<string> => {
      let set = ids.get(file);
      if (!set) {
        const html = readFileSync(file, "utf8");
        set = new Set([...html.matchAll(/\s(?:id|name)="([^"]+)"/g)].map((m) => m[1]!));
        ids.set(file, set);
      }
      return set;
    };
    const broken: string[] = [];
    let checked = 0;
    for (const from of all) {
      const html = readFileSync(join(SITE_DIR, from), "utf8");
      for (const [, raw] of html.matchAll(/\s(?:href|src)="([^"]*)"/g)) {
        const href = raw!.replaceAll("&amp;", "&");
        if (
          href === "" ||
          href === "#" ||
          /^[a-z][a-z0-9+.-]*:/i.test(href) ||
          href.startsWith("//")
        )
          continue;
        const target = new URL(href, base + from);
        const file = fileFor(target.pathname);
        checked++;
        if (!file) {
          broken.push(`${from}: ${href} (no such file)`);
          continue;
        }
        const fragment = decodeURIComponent(target.hash.slice(1));
        if (fragment && file.endsWith(".html") && !idsOf(file).has(fragment)) {
          broken.push(`${from}: ${href} (no element with id "${fragment}")`);
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
    expect(broken).toStrictEqual([]);
    // And the server really serves them: fetch each page once over HTTP.
    for (const path of all) {
      const response = await fetch(base + path, { method: "HEAD" });
      expect(response.status, path).toBe(200);
    }
  });
});
