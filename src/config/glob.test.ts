import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { expandGlob, hasGlobMagic } from "./glob.js";

test("glob: *, ?, [...] and [!...] in any segment; sorted; dot files only for dot patterns", (t) => {
  const d = mkdtempSync(join(tmpdir(), "onair-glob-"));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  for (const sub of ["a1", "a2", "b1"]) mkdirSync(join(d, sub));
  for (const f of ["a1/x.conf", "a1/y.conf", "a2/x.conf", "b1/x.conf", "a1/.h.conf", "a1/x.txt"]) {
    writeFileSync(join(d, f), "");
  }
  assert.deepEqual(expandGlob(join(d, "a1", "*.conf")), [join(d, "a1/x.conf"), join(d, "a1/y.conf")]);
  assert.deepEqual(expandGlob(join(d, "a?", "x.conf")), [join(d, "a1/x.conf"), join(d, "a2/x.conf")]);
  assert.deepEqual(expandGlob(join(d, "[ab]1", "x.*")), [
    join(d, "a1/x.conf"),
    join(d, "a1/x.txt"),
    join(d, "b1/x.conf"),
  ]);
  assert.deepEqual(expandGlob(join(d, "[!a]*", "*")), [join(d, "b1/x.conf")]);
  assert.deepEqual(expandGlob(join(d, "a1", ".*.conf")), [join(d, "a1/.h.conf")]);
  assert.deepEqual(expandGlob(join(d, "none", "*.conf")), []);
  assert.ok(
    hasGlobMagic("/a/*.conf") && hasGlobMagic("a?") && hasGlobMagic("[a]") && !hasGlobMagic("/a/b.conf"),
  );
});
