import assert from "node:assert/strict";
import { chmodSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { tempDir } from "../../../test/helpers/env.js";
import { ErrorLog } from "./error-log.js";
import { LogOpenError } from "./log-file.js";

const fixed = () => new Date(2024, 10, 25, 17, 14, 26);

test("error log writes nginx's line format and filters by level", (t) => {
  const dir = tempDir(t);
  const file = join(dir, "logs", "error.log"); // folder created on open
  const log = new ErrorLog([{ path: file, level: "warn" }], { pid: 1234, now: fixed });
  log.info("not written");
  log.warn("a warning");
  log.error('open() "/x" failed (2: No such file or directory)');
  log.close();
  assert.equal(
    readFileSync(file, "utf8"),
    "2024/11/25 17:14:26 [warn] 1234#0: a warning\n" +
      '2024/11/25 17:14:26 [error] 1234#0: open() "/x" failed (2: No such file or directory)\n',
  );
});

test("each error_log target keeps its own level", (t) => {
  const dir = tempDir(t);
  const a = join(dir, "a.log");
  const b = join(dir, "b.log");
  const log = new ErrorLog(
    [
      { path: a, level: "debug" },
      { path: b, level: "crit" },
    ],
    { pid: 1, now: fixed },
  );
  assert.equal(log.minLevel, "debug");
  log.notice("n");
  log.crit("c");
  log.close();
  assert.equal(readFileSync(a, "utf8").split("\n").length - 1, 2);
  assert.equal(readFileSync(b, "utf8"), "2024/11/25 17:14:26 [crit] 1#0: c\n");
});

test("reopen follows logrotate's rename", (t) => {
  const dir = tempDir(t);
  const file = join(dir, "error.log");
  const log = new ErrorLog([{ path: file, level: "info" }], { pid: 1, now: fixed });
  log.info("before");
  renameSync(file, `${file}.1`);
  log.info("still old");
  log.reopen();
  log.info("after");
  log.close();
  assert.match(readFileSync(`${file}.1`, "utf8"), /before\n.*still old\n$/);
  assert.match(readFileSync(file, "utf8"), /^\S+ \S+ \[info\] 1#0: after\n$/);
});

test("an unopenable error log is a one-line nginx-worded error", (t) => {
  if (process.getuid?.() === 0) {
    t.skip("root can write anywhere");
    return;
  }
  const dir = tempDir(t);
  mkdirSync(join(dir, "ro"));
  chmodSync(join(dir, "ro"), 0o500);
  assert.throws(
    () => new ErrorLog([{ path: join(dir, "ro", "e.log"), level: "error" }]),
    (e: unknown) =>
      e instanceof LogOpenError && /^open\(\) ".*e\.log" failed \(13: Permission denied\)$/.test(e.message),
  );
});

test("a missing folder that cannot be made is reported with mkdir()", (t) => {
  const dir = tempDir(t);
  const file = join(dir, "f");
  new ErrorLog([{ path: file, level: "error" }]).close(); // a file where a folder is needed
  assert.throws(
    () => new ErrorLog([{ path: join(file, "sub", "e.log"), level: "error" }]),
    (e: unknown) =>
      e instanceof LogOpenError && /^mkdir\(\) ".*" failed \(20: Not a directory\)$/.test(e.message),
  );
});

test("configure() switches targets and keeps the old ones if a new one fails", (t) => {
  const dir = tempDir(t);
  const a = join(dir, "a.log");
  const b = join(dir, "b.log");
  const log = new ErrorLog([{ path: a, level: "info" }], { pid: 1, now: fixed });
  assert.throws(() => log.configure([{ path: join(a, "x", "y.log"), level: "info" }]));
  log.info("one");
  log.configure([{ path: b, level: "info" }]);
  log.info("two");
  log.close();
  assert.match(readFileSync(a, "utf8"), /one\n$/);
  assert.match(readFileSync(b, "utf8"), /two\n$/);
});
