import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { escapeStreamName, recordFilePath } from "./record-path.js";

const WALL = 1_764_072_000_123; // 2025-11-25T12:00:00.123Z

test("file names as nginx-rtmp makes them: path/NAME[-UNIXTIME]SUFFIX", () => {
  const n = { dir: "/var/rec/", suffix: ".flv", unique: false };
  assert.equal(recordFilePath(n, "cam1", WALL), "/var/rec/cam1.flv");
  assert.equal(recordFilePath({ ...n, unique: true }, "cam1", WALL), "/var/rec/cam1-1764072000.flv");
  const s = recordFilePath({ ...n, suffix: "-%Y.flv" }, "cam1", WALL);
  assert.match(s, /^\/var\/rec\/cam1-20\d\d\.flv$/);
  assert.equal(recordFilePath({ ...n, suffix: "-%D.flv" }, "a", WALL).split("/").length, 4, "no new folder");
});

test("stream names are escaped into one file name component", () => {
  assert.equal(escapeStreamName("cam 1/../x?y"), "cam%201%2F..%2Fx%3Fy");
  assert.equal(escapeStreamName(".."), "%2E%2E");
  assert.equal(escapeStreamName("é"), "%C3%A9");
  fc.assert(
    fc.property(fc.string({ unit: "binary" }), (name) => {
      const e = escapeStreamName(name);
      assert.ok(!e.includes("/") && !e.includes("\0") && e !== "." && e !== "..");
    }),
  );
});
