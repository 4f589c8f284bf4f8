import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { NODE_FLAGS, withNodeFlags } from "./node-flags.js";

const root = new URL("../../", import.meta.url);
const flags = NODE_FLAGS.join(" ");

test("npm start, the bin's shebang and the systemd unit of docs/operations.md run node with NODE_FLAGS", () => {
  const pkg = JSON.parse(readFileSync(new URL("package.json", root), "utf8")) as {
    scripts: Record<string, string>;
  };
  assert.match(pkg.scripts.start!, new RegExp(`node ${flags} dist/cli/main\\.js`));
  const shebang = readFileSync(new URL("src/cli/main.ts", root), "utf8").split("\n")[0];
  assert.equal(shebang, `#!/usr/bin/env -S node ${flags}`);
  assert.match(
    readFileSync(new URL("docs/operations.md", root), "utf8"),
    new RegExp(`ExecStart=/usr/bin/node ${flags} `),
  );
});

test("a daemonizing start's copy gets NODE_FLAGS once, after the options it was started with", () => {
  assert.deepEqual(withNodeFlags([]), [...NODE_FLAGS]);
  assert.deepEqual(withNodeFlags(["--import", "tsx"]), ["--import", "tsx", ...NODE_FLAGS]);
  assert.deepEqual(withNodeFlags([...NODE_FLAGS, "--trace-gc"]), [...NODE_FLAGS, "--trace-gc"]);
});
