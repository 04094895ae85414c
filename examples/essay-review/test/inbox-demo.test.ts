// `npm run demo -- --inbox` as a new user meets it: the demo starts reviews
// in three states (one killed mid-run in a child process), serves the inbox
// on 127.0.0.1 and prints its URL with a token. Then, in Debian's Chromium
// (playwright-core): the stalled run is listed, a waiting essay is approved
// and completes. Ctrl+C (SIGTERM here) stops it cleanly.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARTIFACTS = resolve(import.meta.dirname, "..", "test-artifacts");
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.REQUIRE_SERVICES === "1") {
  throw new Error(
    `Chromium not found at ${CHROMIUM} (apt-get install -y chromium); REQUIRE_SERVICES=1.`,
  );
}
const dir = mkdtempSync(join(tmpdir(), "savepoint-inbox-demo-"));
let demo: ChildProcess | undefined;

afterAll(() => {
  if (demo && demo.exitCode === null) demo.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

function startDemo(): Promise<{ url: string; output: () => string }> {
  demo = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "--conditions=@savepoint/source",
      "src/main.ts",
      "--inbox",
      "--dir",
      join(dir, "data"),
    ],
    {
      cwd: resolve(import.meta.dirname, ".."),
      env: { ...process.env, ESSAY_DELAY_MS: "10", INIT_CWD: dir, CI: "true" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  demo.stderr!.on("data", (d: Buffer) => {
    output += d.toString();
  });
  return new Promise((resolvePromise, reject) => {
    demo!.stdout!.on("data", (d: Buffer) => {
      output += d.toString();
      const url = /Inbox: (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(output)?.[1];
      if (url) resolvePromise({ url, output: () => output });
    });
    demo!.once("exit", (code) =>
      reject(new Error(`the demo exited (${code}) before serving:\n${output}`)),
    );
  });
}

describe("npm run demo -- --inbox", () => {
  it("serves reviews in every state on loopback; a reviewer approves one in the browser", async () => {
    const { url, output } = await startDemo();
    const base = url.slice(0, url.indexOf("/?token="));
    const token = url.slice(url.indexOf("token=") + 6);
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const list = async (status: string) => {
      const response = await fetch(`${base}/api/threads?workflow=workflow&status=${status}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const body = (await response.json()) as { threads: { threadId: string }[] };
      return body.threads.map((t) => t.threadId).sort();
    };
    expect(await list("interrupted")).toEqual(["essay-cats", "essay-sea"]);
    expect(await list("done")).toEqual(["essay-dogs"]);
    // The killed child's run: running until its 3 s lease ends, then stalled.
    let stalled: string[] = [];
    for (let i = 0; i < 100 && stalled.length === 0; i++) {
      stalled = await list("stalled");
      if (stalled.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(stalled).toEqual(["essay-stalled"]);
    expect((await fetch(`${base}/api/threads?workflow=workflow`)).status).toBe(401);

    if (haveChromium) {
      mkdirSync(ARTIFACTS, { recursive: true });
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ["--no-sandbox", "--disable-gpu"],
      });
      try {
        const page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
        await page.goto(url);
        await page.locator('#threads button[data-thread="essay-sea"]').waitFor();
        await page.locator('button[data-status="stalled"]').click();
        await page.locator('#threads button[data-thread="essay-stalled"]').waitFor();
        await page.screenshot({ path: join(ARTIFACTS, "demo-inbox-stalled.png") });
        await page.locator('button[data-status="interrupted"]').click();
        await page.locator('#threads button[data-thread="essay-sea"]').click();
        await page.locator('button[data-answer="approve"]').click();
        await page.locator(".outcome").waitFor();
        expect(await page.locator(".outcome").textContent()).toContain(
          "An essay about topic: the sea",
        );
        await page.screenshot({ path: join(ARTIFACTS, "demo-inbox-approved.png") });
      } finally {
        await browser.close();
      }
      expect(await list("done")).toEqual(["essay-dogs", "essay-sea"]);
    }
    const exited = new Promise<number | null>((r) => demo!.once("exit", r));
    demo!.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(output()).toContain("Inbox stopped.");
  }, 180_000);
});
