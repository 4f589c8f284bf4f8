/**
 * What onair prints is what the reference tools read: the printed form of the
 * guide's files passes `nginx -t` (with nginx-rtmp) and `keepalived -t`
 * without a syntax complaint. onair-only directives are left out for nginx.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import {
  loadKeepalivedConfig,
  loadNginxConfig,
  printKeepalivedConfig,
  printNginxConfig,
} from "../src/config/index.js";
import { projectRoot, tempDir } from "./helpers/env.js";

const FIX = join(projectRoot, "test", "fixtures", "config");
const RTMP_MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so";
const has = (cmd: string) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
const ONAIR_ONLY = /^\s*(flush_interval|hls_endlist|publish_replace|gop_cache_size|hls_max_fragment) /;

test("printed nginx configs pass nginx -t", { skip: !(has("nginx") && existsSync(RTMP_MODULE)) }, (t) => {
  const dir = tempDir(t, "onair-nginx-print-");
  mkdirSync(join(dir, "logs"));
  for (const src of [join(FIX, "guide-nginx.conf"), join(projectRoot, "conf", "onair.conf")]) {
    const cfg = loadNginxConfig(src, { prefix: dir });
    // nginx-rtmp creates hls_path when testing; keep it inside the temp folder.
    for (const s of cfg.rtmp?.servers ?? []) for (const a of s.applications) a.hlsPath = join(dir, "hls");
    const text = printNginxConfig(cfg)
      .split("\n")
      .filter((l) => !ONAIR_ONLY.test(l))
      .join("\n");
    const file = join(dir, "printed.conf");
    writeFileSync(file, `load_module ${RTMP_MODULE};\n${text}`);
    const r = spawnSync("nginx", ["-t", "-p", `${dir}/`, "-c", file, "-g", "error_log stderr;"], {
      encoding: "utf8",
    });
    assert.match(r.stderr, /syntax is ok/, `${src}:\n${r.stderr}`);
    assert.equal(r.status, 0, r.stderr);
  }
});

test("printed keepalived configs raise no syntax complaint in keepalived -t", {
  skip: !has("keepalived"),
}, (t) => {
  const dir = tempDir(t, "onair-ka-print-");
  for (const name of ["master", "backup", "check", "full"]) {
    const cfg = loadKeepalivedConfig(join(FIX, `guide-keepalived-${name}.conf`));
    const file = join(dir, `${name}.conf`);
    writeFileSync(file, printKeepalivedConfig(cfg));
    const r = spawnSync("keepalived", ["-t", "-l", "-f", file], { encoding: "utf8", timeout: 20_000 });
    const out = r.stdout + r.stderr;
    // The guide's interface (ens33) does not exist here; anything else would be ours.
    const complaints = out
      .split("\n")
      .filter((l) => l.trim() && !/interface ens33|Non-existent interface/.test(l));
    assert.deepEqual(complaints, [], `${name}: ${out}`);
  }
});
