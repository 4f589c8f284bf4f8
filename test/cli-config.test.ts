/**
 * `onair -t/-T/-q/-v/-h`, `onair vrrp -t`, argument errors and `-s` without a
 * running instance: the compiled command (dist/, or src/ through tsx when
 * dist is missing or older than the sources), as a user runs it.
 */
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { runOnair as onair } from "./helpers/cli.js";
import { projectRoot, tempDir } from "./helpers/env.js";

const fixtures = join(projectRoot, "test/fixtures/config");

/** The guide's nginx.conf in a folder of its own, beside a mime.types (as in /usr/local/nginx/conf). */
function guideNginxConf(dir: string): string {
  const file = join(dir, "nginx.conf");
  copyFileSync(join(fixtures, "guide-nginx.conf"), file);
  copyFileSync(join(projectRoot, "conf/mime.types"), join(dir, "mime.types"));
  return file;
}

test("onair -t on the guide's nginx.conf prints nginx's two lines and exits 0", (t) => {
  const file = guideNginxConf(tempDir(t));
  const r = onair("-t", "-c", file);
  assert.equal(
    r.stderr,
    `onair: the configuration file ${file} syntax is ok\nonair: configuration file ${file} test is successful\n`,
  );
  assert.equal(r.stdout, "");
  assert.equal(r.code, 0);
});

test("onair -t -q prints nothing on success", (t) => {
  const file = guideNginxConf(tempDir(t));
  const r = onair("-tq", "-c", file);
  assert.equal(r.stderr, "");
  assert.equal(r.code, 0);
});

test("onair -t on a broken file prints the error with file:line and exits 1", (t) => {
  const dir = tempDir(t);
  const file = join(dir, "bad.conf");
  writeFileSync(file, "events {\n}\nrtmp {\n    server {\n        listn 1935;\n    }\n}\n");
  const r = onair("-t", "-c", file);
  assert.equal(
    r.stderr,
    `onair: [emerg] unknown directive "listn" in ${file}:5\nonair: configuration file ${file} test failed\n`,
  );
  assert.equal(r.code, 1);
  // -q does not hide errors
  assert.equal(onair("-t", "-q", "-c", file).stderr, r.stderr);
});

test("onair -t on a missing file says so in nginx's words", (t) => {
  const file = join(tempDir(t), "none.conf");
  const r = onair("-t", "-c", file);
  assert.equal(
    r.stderr,
    `onair: [emerg] open() "${file}" failed (2: No such file or directory)\n` +
      `onair: configuration file ${file} test failed\n`,
  );
  assert.equal(r.code, 1);
});

test("onair -T dumps every file read, included ones too", (t) => {
  const dir = tempDir(t);
  const file = guideNginxConf(dir);
  const r = onair("-T", "-c", file);
  assert.equal(r.code, 0);
  assert.match(r.stderr, /test is successful\n$/);
  const main = readFileSync(file, "utf8");
  assert.ok(r.stdout.startsWith(`# configuration file ${file}:\n${main}`));
  assert.ok(r.stdout.includes(`# configuration file ${join(dir, "mime.types")}:\n`));
});

test("onair -t with no -c checks the built-in default configuration", () => {
  const file = join(projectRoot, "conf/onair.conf");
  const r = onair("-t");
  assert.equal(
    r.stderr,
    `onair: the configuration file ${file} syntax is ok\nonair: configuration file ${file} test is successful\n`,
  );
  assert.equal(r.code, 0);
});

test("-g directives are checked too, reported as the command line", () => {
  const r = onair("-t", "-g", "bogus on;");
  assert.match(r.stderr, /^onair: \[emerg\] unknown directive "bogus" in command line\n/);
  assert.equal(r.code, 1);
});

test("argument errors are one nginx-worded line and exit 1", () => {
  for (const [args, line] of [
    [["-x"], 'onair: invalid option: "x"\n'],
    [["-s", "restart"], 'onair: invalid option: "-s restart"\n'],
    [["-c"], 'onair: option "-c" requires file name\n'],
  ] as [string[], string][]) {
    const r = onair(...args);
    assert.equal(r.stderr, line, args.join(" "));
    assert.equal(r.code, 1);
  }
});

test("-v prints the version, -h the usage", () => {
  const v = onair("-v");
  assert.match(v.stderr, /^onair version: onair\/\d+\.\d+\.\d+\n$/);
  assert.equal(v.code, 0);
  const h = onair("-h");
  assert.match(h.stderr, /Usage: onair \[-\?hvVtTq\] \[-s signal\] \[-p prefix\]/);
  assert.match(h.stderr, /-s signal {5}: send signal to a master process: stop, quit, reopen, reload/);
  assert.equal(h.code, 0);
});

function pidConf(dir: string): { file: string; pid: string } {
  const pid = join(dir, "run", "onair.pid");
  const file = join(dir, "onair.conf");
  writeFileSync(file, `pid ${pid};\nerror_log ${join(dir, "error.log")};\nevents {}\n`);
  return { file, pid };
}

test("-s with no running instance gives nginx's open() error", (t) => {
  const { file, pid } = pidConf(tempDir(t));
  const r = onair("-s", "reload", "-c", file);
  assert.equal(r.stderr, `onair: [error] open() "${pid}" failed (2: No such file or directory)\n`);
  assert.equal(r.code, 1);
});

test("-s with a bad or stale pid file gives nginx's errors", (t) => {
  const dir = tempDir(t);
  const { file, pid } = pidConf(dir);
  onair("-t", "-c", file); // -t must not create the pid file
  assert.equal(existsSync(pid), false);
  mkdirSync(join(dir, "run"));
  writeFileSync(pid, "abc\n");
  let r = onair("-s", "stop", "-c", file);
  assert.equal(r.stderr, `onair: [error] invalid PID number "abc" in "${pid}"\n`);
  assert.equal(r.code, 1);
  writeFileSync(pid, "2147483646\n");
  r = onair("-s", "quit", "-c", file);
  assert.equal(r.stderr, "onair: [alert] kill(2147483646, 3) failed (3: No such process)\n");
  assert.equal(r.code, 1);
});

test("onair vrrp -t on the guide's keepalived.conf files exits 0 with keepalived's warnings", () => {
  for (const name of ["master", "backup", "check"]) {
    const file = join(fixtures, `guide-keepalived-${name}.conf`);
    const r = onair("vrrp", "-t", "-f", file);
    assert.equal(r.code, 0, `${name}: ${r.stderr}`);
    // the guide's auth_pass "mysecretpass" is longer than 8 characters: keepalived warns
    assert.match(r.stderr, /auth_pass/, name);
    assert.equal(
      r.stderr
        .trimEnd()
        .split("\n")
        .every((l) => l.includes(file)),
      true,
      r.stderr,
    );
  }
});

test("onair vrrp -t on a broken keepalived.conf prints the error and exits 1", (t) => {
  const dir = tempDir(t);
  const file = join(dir, "keepalived.conf");
  writeFileSync(
    file,
    "vrrp_instance VI_1 {\n    state MASTER\n    interface eth0\n    virtual_router_id 300\n}\n",
  );
  const r = onair("vrrp", "-t", "-f", file);
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
  assert.match(r.stderr, /virtual_router_id|300/);
  assert.ok(r.stderr.includes(file), r.stderr);
  const missing = onair("vrrp", "-t", "-f", join(dir, "none.conf"));
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr.trimEnd().split("\n").length, 1, missing.stderr);
});

test("onair vrrp rejects unknown options in one line", () => {
  const r = onair("vrrp", "-x");
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^onair vrrp: invalid option -- 'x'\n/);
});
