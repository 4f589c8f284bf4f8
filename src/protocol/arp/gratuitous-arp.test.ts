import assert from "node:assert/strict";
import { test } from "node:test";
import { parseIpv4 } from "../ipv4/ipv4-address.js";
import { buildGratuitousArp, parseMac } from "./gratuitous-arp.js";

test("gratuitous ARP: broadcast request, sender = target = VIP", () => {
  const f = buildGratuitousArp(parseMac("02:00:5e:00:01:33"), parseIpv4("198.18.0.100")!);
  assert.equal(f.length, 60);
  assert.equal(
    f.subarray(0, 42).toString("hex"),
    "ffffffffffff" +
      "02005e000133" +
      "0806" +
      "0001" +
      "0800" +
      "06" +
      "04" +
      "0001" +
      "02005e000133" +
      "c6120064" +
      "ffffffffffff" +
      "c6120064",
  );
});

test("parseMac rejects malformed text", () => {
  assert.throws(() => parseMac("02:00:5e:00:01"), RangeError);
  assert.throws(() => parseMac("zz:00:5e:00:01:02"), RangeError);
});
