#!/usr/bin/env node
// The installed command. It lives outside dist/ so that installing the
// workspace from a clean checkout (before any build) can link it.
await import("../dist/cli.js");
