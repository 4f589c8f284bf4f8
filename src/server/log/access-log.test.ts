import assert from "node:assert/strict";
import { readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { tempDir } from "../../../test/helpers/env.js";
import { AccessLog } from "./access-log.js";

test("access log appends lines and flushes on close", async (t) => {
  const dir = tempDir(t);
  const file = join(dir, "logs", "access.log");
  const log = new AccessLog(file);
  for (let i = 0; i < 1000; i++) log.write(`line ${i}`);
  log.write("last\n");
  await log.close();
  const lines = readFileSync(file, "utf8").split("\n");
  assert.equal(lines.length, 1002);
  assert.equal(lines[0], "line 0");
  assert.equal(lines[1000], "last");
  log.write("after close is dropped");
  assert.equal(readFileSync(file, "utf8").split("\n").length, 1002);
});

test("access log reopen: queued lines go to the renamed file, new ones to a fresh file", async (t) => {
  const dir = tempDir(t);
  const file = join(dir, "access.log");
  const log = new AccessLog(file);
  log.write("a");
  renameSync(file, `${file}.1`);
  log.write("b");
  log.reopen();
  log.write("c");
  await log.close();
  // the old stream is ended by reopen(); give it a moment to flush
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(readFileSync(`${file}.1`, "utf8"), "a\nb\n");
  assert.equal(readFileSync(file, "utf8"), "c\n");
});

test("access log keeps appending to an existing file", async (t) => {
  const dir = tempDir(t);
  const file = join(dir, "access.log");
  const one = new AccessLog(file);
  one.write("1");
  await one.close();
  const two = new AccessLog(file);
  two.write("2");
  await two.close();
  assert.equal(readFileSync(file, "utf8"), "1\n2\n");
});
