// Makes `npm run demo` / `npm test` work on a fresh clone: installs the
// workspace with the pinned pnpm when node_modules is missing or older than
// the lockfile, so a new user needs nothing but Node >= 20 and npm.
import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";

const [major] = process.versions.node.split(".").map(Number);
if ((major ?? 0) < 20) {
  console.error(`Savepoint needs Node.js 20 or newer; this is ${process.version}.`);
  process.exit(1);
}

const marker = "node_modules/.modules.yaml";
const lock = "pnpm-lock.yaml";
const stale =
  !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs);
if (stale) {
  const args = ["--yes", "pnpm@10.34.8", "install"];
  if (process.env.CI) args.push("--frozen-lockfile");
  console.log(`[savepoint] installing the workspace: npx ${args.join(" ")}`);
  execFileSync("npx", args, {
    stdio: "inherit",
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" },
  });
}
