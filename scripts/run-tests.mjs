#!/usr/bin/env node
// Collects every *.test.ts under src/ and test/ (or the folders/files given)
// and runs them with Node's own test runner through tsx, so CI gets its
// pass/fail counts. Node 20's --test does not expand globs itself.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function collect(path, out) {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return;
  if (st.isFile()) {
    if (path.endsWith(".test.ts")) out.push(path);
    return;
  }
  for (const e of readdirSync(path).sort()) {
    if (e === "node_modules" || e.startsWith(".")) continue;
    collect(join(path, e), out);
  }
}

const args = process.argv.slice(2);
const roots = args.length ? args : ["src", "test"];
const files = [];
for (const r of roots) collect(r, files);
if (files.length === 0) {
  console.error("no test files found under", roots.join(", "));
  process.exit(1);
}
const concurrency = process.env.ONAIR_TEST_CONCURRENCY ?? "2";
const r = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", `--test-concurrency=${concurrency}`, "--test-timeout=300000", ...files],
  // Servers the tests start overwrite memory they reuse (ONAIR_POISON_BUFFERS): a view kept too long shows as bad media.
  { stdio: "inherit", env: { ONAIR_POISON_BUFFERS: "1", ...process.env } },
);
process.exit(r.status ?? 1);
