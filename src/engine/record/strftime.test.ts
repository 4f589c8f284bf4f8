import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { strftime } from "./strftime.js";

// 2026-03-07 09:05:03 local time (the test reads the same local time back)
const T = new Date(2026, 2, 7, 9, 5, 3).getTime();

test("strftime conversions nginx-rtmp users put in record_suffix", () => {
  const table: [string, string][] = [
    ["-%d-%b-%y-%T.flv", "-07-Mar-26-09:05:03.flv"],
    ["-%Y%m%d-%H%M%S.flv", "-20260307-090503.flv"],
    ["%F_%R", "2026-03-07_09:05"],
    ["%a %A %B %h", "Sat Saturday March Mar"],
    ["%e|%k|%l|%I%p", " 7| 9| 9|09AM"],
    ["%j %u %w %C %D", "066 6 6 20 03/07/26"],
    ["100%% %q", "100% %q"],
    ["trailing %", "trailing %"],
    [".flv", ".flv"],
  ];
  for (const [pattern, want] of table) assert.equal(strftime(pattern, T), want, pattern);
  assert.equal(strftime("%s", T), String(Math.floor(T / 1000)));
  assert.match(strftime("%z", T), /^[+-]\d{4}$/);
});

test("strftime never throws and leaves text without '%' alone", () => {
  fc.assert(
    fc.property(fc.string(), fc.integer({ min: 0, max: 4_102_444_800_000 }), (p, t) => {
      const out = strftime(p, t);
      if (!p.includes("%")) assert.equal(out, p);
    }),
  );
});
