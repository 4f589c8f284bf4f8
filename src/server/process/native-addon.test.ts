import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import { NATIVE_ADDON_PATH } from "./native-addon.js";

test("the addon binds its N-API symbols when it loads, not at each one's first call", () => {
  // Lazy binding reads node's 5 MB .dynstr at a symbol's first call: the first malloc_trim, at
  // the first burst of players, paged in 60 KiB of it (native/binding.gyp links with -z now).
  const dynamic = execFileSync("readelf", ["-d", NATIVE_ADDON_PATH], { encoding: "utf8" });
  assert.match(dynamic, /\(FLAGS\)\s+BIND_NOW/);
});
