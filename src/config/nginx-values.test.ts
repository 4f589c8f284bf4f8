import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  formatListen,
  formatSize,
  formatTime,
  isAddressOrCidr,
  parseFlag,
  parseListen,
  parseNumber,
  parseSize,
  parseTime,
} from "./nginx-values.js";

test("sizes as nginx: bytes, k, m, g in either case", () => {
  assert.equal(parseSize("4096"), 4096);
  assert.equal(parseSize("4k"), 4096);
  assert.equal(parseSize("4K"), 4096);
  assert.equal(parseSize("1m"), 1048576);
  assert.equal(parseSize("2g"), 2 * 1024 ** 3);
  for (const bad of ["", "k", "4kb", "1.5m", "-1", "4 k", "1t"]) assert.equal(parseSize(bad), null, bad);
});

test("times as nginx: ms s m h d w M y, bare number = seconds, combos largest first", () => {
  assert.equal(parseTime("500ms"), 500);
  assert.equal(parseTime("3s"), 3000);
  assert.equal(parseTime("3"), 3000);
  assert.equal(parseTime("1m"), 60_000);
  assert.equal(parseTime("1h"), 3_600_000);
  assert.equal(parseTime("1m30s"), 90_000);
  assert.equal(parseTime("1h 30m"), 5_400_000);
  assert.equal(parseTime("1s500ms"), 1500);
  assert.equal(parseTime("0"), 0);
  assert.equal(parseTime("1m30"), 90_000);
  for (const bad of ["", "3x", "30s1m", "1s1s", "s", "1.5s", "-1s"]) assert.equal(parseTime(bad), null, bad);
});

test("flags and numbers", () => {
  assert.equal(parseFlag("on"), true);
  assert.equal(parseFlag("off"), false);
  assert.equal(parseFlag("On"), null);
  assert.equal(parseNumber("0"), 0);
  assert.equal(parseNumber("12"), 12);
  assert.equal(parseNumber("1e3"), null);
});

test("listen addresses", () => {
  assert.deepEqual(parseListen("1935", 1935), { ok: true, value: { host: null, port: 1935 } });
  assert.deepEqual(parseListen("127.0.0.1:8080", 80), { ok: true, value: { host: "127.0.0.1", port: 8080 } });
  assert.deepEqual(parseListen("*:80", 80), { ok: true, value: { host: null, port: 80 } });
  assert.deepEqual(parseListen("[::1]:8080", 80), { ok: true, value: { host: "::1", port: 8080 } });
  assert.deepEqual(parseListen("[::]", 80), { ok: true, value: { host: "::", port: 80 } });
  assert.deepEqual(parseListen("localhost", 80), { ok: true, value: { host: "localhost", port: 80 } });
  assert.deepEqual(parseListen("99999", 80), {
    ok: false,
    problem: 'invalid port in "99999" of the "listen" directive',
  });
  assert.deepEqual(parseListen("example.com:80", 80), {
    ok: false,
    problem: 'host not found in "example.com:80" of the "listen" directive',
  });
});

test("addresses and CIDRs for allow/deny", () => {
  for (const ok of ["all", "127.0.0.1", "10.0.0.0/8", "::1", "2001:db8::/32", "0.0.0.0/0"])
    assert.ok(isAddressOrCidr(ok), ok);
  for (const bad of ["", "300.1.1.1", "10.0.0.0/33", "::/129", "10.0.0.0/", "host"])
    assert.ok(!isAddressOrCidr(bad), bad);
});

test("property: format then parse gives the same size, time and listen", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (n) => assert.equal(parseSize(formatSize(n)), n)),
  );
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (n) => assert.equal(parseTime(formatTime(n)), n)),
  );
  const host = fc.oneof(fc.constant(null), fc.ipV4(), fc.ipV6(), fc.constant("localhost"));
  fc.assert(
    fc.property(host, fc.integer({ min: 1, max: 65535 }), (h, port) => {
      const r = parseListen(formatListen({ host: h, port }), 1);
      assert.deepEqual(r, { ok: true, value: { host: h, port } });
    }),
  );
});
