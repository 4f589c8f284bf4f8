import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { tempDir } from "../../../test/helpers/env.js";
import { otherInstance, PidFileError, readPidFile, removePidFile, writePidFile } from "./pid-file.js";
import { signalRunning } from "./signals.js";

test("pid file: written with a newline (folder created), read back, removed only by its owner", (t) => {
  const file = join(tempDir(t), "run", "onair.pid");
  writePidFile(file, process.pid);
  assert.equal(readFileSync(file, "utf8"), `${process.pid}\n`);
  assert.equal(readPidFile(file), process.pid);
  removePidFile(file, process.pid + 1);
  assert.equal(existsSync(file), true, "not ours: kept");
  removePidFile(file, process.pid);
  assert.equal(existsSync(file), false);
});

test("pid file errors are nginx's", (t) => {
  const dir = tempDir(t);
  const file = join(dir, "x.pid");
  assert.throws(
    () => readPidFile(file),
    (e: unknown) =>
      e instanceof PidFileError && e.message === `open() "${file}" failed (2: No such file or directory)`,
  );
  for (const bad of ["", "abc", "-1", "0", "12 34", "99999999999"]) {
    writeFileSync(file, `${bad}\n`);
    assert.throws(
      () => readPidFile(file),
      (e: unknown) => e instanceof PidFileError && e.message === `invalid PID number "${bad}" in "${file}"`,
      bad,
    );
  }
  writeFileSync(file, "2147483646\n");
  assert.throws(
    () => signalRunning(file, "reload"),
    (e: unknown) =>
      e instanceof PidFileError &&
      e.level === "alert" &&
      e.message === "kill(2147483646, 1) failed (3: No such process)",
  );
});

test("a live onair holding the pid file is refused; a stale one is replaced", (t) => {
  const file = join(tempDir(t), "x.pid");
  // this test process runs a file named *.test.ts, not onair: its pid counts as a reused number
  writeFileSync(file, `${process.ppid}\n`);
  assert.equal(otherInstance(file), null);
  writeFileSync(file, "2147483646\n");
  assert.equal(otherInstance(file), null);
  writePidFile(file, 4242);
  assert.equal(readPidFile(file), 4242);
});
