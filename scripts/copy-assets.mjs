#!/usr/bin/env node
// Post-build step: tsc does not keep the executable bit on the CLI entry.
// (The default configuration and mime.types stay in conf/ at the project
// root, and the player page in html/; the compiled code finds them there.)
import { chmodSync, existsSync } from "node:fs";

const bin = new URL("../dist/cli/main.js", import.meta.url);
if (existsSync(bin)) chmodSync(bin, 0o755);
