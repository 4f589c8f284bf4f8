/**
 * Broken configs (test/fixtures/config/broken/) each give one exact message
 * with file and line. Each fixture states its expected message on its first
 * line (`# expect: ...`, {file} = the fixture, {dir} = its folder). Fixtures
 * marked `# nginx-same` / `# keepalived-same` are also run through the real
 * nginx (+ nginx-rtmp) / keepalived installed here, which must print the same
 * message: our wording is checked against the reference, not from memory.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ConfigError, loadKeepalivedConfig, loadNginxConfig } from "../src/config/index.js";
import { projectRoot, tempDir } from "./helpers/env.js";

const DIR = join(projectRoot, "test", "fixtures", "config", "broken");
const RTMP_MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so";

function which(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
}
const HAVE_NGINX = which("nginx") && existsSync(RTMP_MODULE);
const HAVE_KEEPALIVED = which("keepalived");

interface Case {
  name: string;
  path: string;
  expect: string;
  sameAsReference: boolean;
}

function cases(suffix: string, marker: string): Case[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith(suffix))
    .sort()
    .map((f) => {
      const path = join(DIR, f);
      const text = readFileSync(path, "utf8");
      const m = /^# expect: (.*)$/m.exec(text);
      assert.ok(m, `${f} has no "# expect:" line`);
      const expect = m[1].replaceAll("{file}", path).replaceAll("{dir}", DIR);
      return { name: f, path, expect, sameAsReference: text.includes(marker) };
    });
}

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ConfigError, `not a ConfigError: ${e}`);
    assert.equal(e.level, "emerg");
    assert.match(e.code, /^ONAIR_CONFIG_/);
    return e.message;
  }
  return "(no error)";
}

const nginxCases = cases(".nginx.conf", "# nginx-same");
const kaCases = cases(".keepalived.conf", "# keepalived-same");

test("at least 25 broken nginx-style and 25 broken keepalived-style configs", () => {
  assert.ok(nginxCases.length >= 25, `${nginxCases.length}`);
  assert.ok(kaCases.length >= 25, `${kaCases.length}`);
});

for (const c of nginxCases) {
  test(`nginx broken: ${c.name}`, () => {
    assert.equal(
      messageOf(() => loadNginxConfig(c.path, { prefix: "/tmp/onair-prefix" })),
      c.expect,
    );
  });
}

for (const c of kaCases) {
  test(`keepalived broken: ${c.name}`, () => {
    assert.equal(
      messageOf(() => loadKeepalivedConfig(c.path)),
      c.expect,
    );
  });
}

test("real nginx prints the same message for the nginx-same fixtures", { skip: !HAVE_NGINX }, (t) => {
  const prefix = tempDir(t, "onair-nginx-ref-");
  mkdirSync(join(prefix, "logs"));
  const checked = nginxCases.filter((c) => c.sameAsReference);
  assert.ok(checked.length >= 25);
  for (const c of checked) {
    const r = spawnSync(
      "nginx",
      ["-t", "-p", `${prefix}/`, "-c", c.path, "-g", `load_module ${RTMP_MODULE}; error_log stderr;`],
      { encoding: "utf8" },
    );
    const line = /\[emerg\] \d+#\d+: (.*)/.exec(r.stderr)?.[1] ?? r.stderr;
    assert.equal(line, c.expect, c.name);
  }
});

test("real keepalived prints the same message for the keepalived-same fixtures", {
  skip: !HAVE_KEEPALIVED,
}, () => {
  for (const c of kaCases.filter((x) => x.sameAsReference)) {
    const r = spawnSync("keepalived", ["-t", "-l", "-f", c.path], { encoding: "utf8" });
    const m = /^(.*) in (\/.*):(\d+)$/.exec(c.expect);
    assert.ok(m);
    const out = r.stdout + r.stderr;
    const expected = `(${m[2]}: Line ${m[3]}) ${m[1]}`;
    assert.ok(
      out.includes(expected) || out.includes(expected.replace(") ", ") *** ")),
      `${c.name}: keepalived said ${out}`,
    );
  }
});
