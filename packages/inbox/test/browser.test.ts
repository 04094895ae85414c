// The inbox page in a real browser: Debian's Chromium driven by
// playwright-core (never a downloaded browser), against the inbox served on
// loopback through toNodeListener. List, open, approve, see it complete; the
// XSS payloads stay text; keyboard only; a narrow screen. Screenshots go to
// test-artifacts/.
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seededInbox, serve, XSS_TOPIC } from "./fixtures.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARTIFACTS = resolve(import.meta.dirname, "..", "test-artifacts");
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  const message = `Chromium not found at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (Debian) or set CHROMIUM_PATH.`;
  if (process.env.REQUIRE_SERVICES === "1")
    throw new Error(`${message} REQUIRE_SERVICES=1, so the inbox browser test fails.`);
  console.warn(`\n!!! SKIPPING the inbox browser test. ${message}\n`);
}

describe.skipIf(!haveChromium)("the inbox page in Chromium", () => {
  let browser: Browser;
  let seeded: Awaited<ReturnType<typeof seededInbox>>;
  let server: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    seeded = await seededInbox();
    server = await serve(seeded.handler);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(viewport = { width: 1200, height: 800 }) {
    const page = await browser.newPage({ viewport });
    const problems: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(m.text());
    });
    page.on("pageerror", (e) => problems.push(String(e)));
    await page.goto(`${server.base}/?token=${seeded.token}`);
    await page.locator("#threads button[data-thread]").first().waitFor();
    return { page, problems };
  }

  const xssFired = (page: Page) => page.evaluate(() => (window as { __xss?: unknown }).__xss);

  it("lists the waiting threads, and keeps the token out of the address bar", async () => {
    const { page, problems } = await open();
    expect(page.url()).not.toContain(seeded.token);
    const ids = await page
      .locator("#threads button[data-thread]")
      .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.thread));
    expect(ids.sort()).toEqual(["essay-cats", "essay-twice", "essay-xss"]);
    await page.screenshot({ path: join(ARTIFACTS, "inbox-list.png") });
    expect(problems).toEqual([]);
    await page.close();
  });

  it("shows an XSS payload as text, and runs none of it", async () => {
    const { page, problems } = await open();
    await page.locator('#threads button[data-thread="essay-xss"]').click();
    const payload = page.locator(".interrupt dd").first();
    await payload.waitFor();
    expect(await payload.textContent()).toBe(`An essay about topic: ${XSS_TOPIC}`);
    expect(await page.locator("#detail img").count()).toBe(0);
    expect(await page.locator("#detail script").count()).toBe(0);
    await page.waitForTimeout(200);
    expect(await xssFired(page)).toBeUndefined();
    await page.screenshot({ path: join(ARTIFACTS, "inbox-xss-payload.png") });
    expect(problems).toEqual([]);
    await page.close();
  });

  it("opens a thread, approves it, and shows the finished run", async () => {
    const { page, problems } = await open();
    await page.locator('#threads button[data-thread="essay-cats"]').click();
    await page.locator(".interrupt").waitFor();
    expect(await page.locator(".interrupt").textContent()).toContain(
      "Please approve/reject the essay",
    );
    await page.screenshot({ path: join(ARTIFACTS, "inbox-thread.png") });
    await page.locator('button[data-answer="approve"]').click();
    const outcome = page.locator(".outcome");
    await outcome.waitFor();
    expect(await outcome.textContent()).toContain("Done");
    expect(await outcome.textContent()).toContain("An essay about topic: cats");
    await page.screenshot({ path: join(ARTIFACTS, "inbox-approved.png") });
    expect((await seeded.workflow.thread("essay-cats"))?.status).toBe("done");
    // The list no longer shows it as waiting.
    await page.waitForFunction(
      () => !document.querySelector('#threads button[data-thread="essay-cats"]'),
    );
    expect(problems).toEqual([]);
    await page.close();
  });

  it("works with the keyboard alone: Tab to a thread, Enter, Tab to Reject, Enter", async () => {
    const { page, problems } = await open();
    const focusOn = async (selector: string) => {
      for (let i = 0; i < 30; i++) {
        if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector))
          return;
        await page.keyboard.press("Tab");
      }
      throw new Error(`Tab never reached ${selector}`);
    };
    await focusOn('#threads button[data-thread="essay-twice"]');
    await page.keyboard.press("Enter");
    await page.locator(".interrupt").waitFor();
    await focusOn('button[data-answer="reject"]');
    await page.keyboard.press("Enter");
    const outcome = page.locator(".outcome");
    await outcome.waitFor();
    expect(await outcome.textContent()).toContain("Waiting again");
    expect(await outcome.textContent()).toContain("second look at twice over?");
    expect(problems).toEqual([]);
    await page.close();
  });

  it("is readable on a narrow screen: one column, no sideways scrolling", async () => {
    const { page, problems } = await open({ width: 360, height: 740 });
    await page.locator('#threads button[data-thread="essay-xss"]').click();
    await page.locator(".interrupt").waitFor();
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    const [list, detail] = await Promise.all([
      page.locator("#threads").boundingBox(),
      page.locator("#detail").boundingBox(),
    ]);
    expect(detail!.y).toBeGreaterThanOrEqual(list!.y + list!.height - 1);
    await page.screenshot({ path: join(ARTIFACTS, "inbox-narrow.png"), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });
});
