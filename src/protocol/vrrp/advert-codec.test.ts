import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import fc from "fast-check";
import { parseIpv4 } from "../ipv4/ipv4-address.js";
import { type AdvertExpectation, checkAdvert } from "./advert-check.js";
import { AdvertEncoder, type AdvertFields, authData } from "./advert-encoder.js";
import { advertAddress, parseAdvert, type ReceivedAdvert } from "./advert-parser.js";

const golden = JSON.parse(
  readFileSync(new URL("./testdata/keepalived-captures.json", import.meta.url), "utf8"),
) as {
  v2: string[];
  v3: string[];
};
const ip = (s: string) => parseIpv4(s)!;
const SRC = ip("198.18.0.1");
const GROUP = ip("224.0.0.18");

/** Wraps a VRRP message in the IPv4 header the kernel would build. */
function datagram(
  vrrp: Buffer,
  opts: { ttl?: number; src?: number; dst?: number; proto?: number } = {},
): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h[1] = 0xc0;
  h.writeUInt16BE(20 + vrrp.length, 2);
  h[8] = opts.ttl ?? 255;
  h[9] = opts.proto ?? 112;
  h.writeUInt32BE(opts.src ?? SRC, 12);
  h.writeUInt32BE(opts.dst ?? GROUP, 16);
  return Buffer.concat([h, vrrp]);
}

const v2Fields: AdvertFields = {
  version: 2,
  vrid: 51,
  addresses: [ip("198.18.0.100")],
  adverInt: 1000,
  authPass: "mysecretpass",
};
const v3Fields: AdvertFields = {
  version: 3,
  vrid: 7,
  addresses: [ip("198.18.0.100"), ip("198.18.0.101")],
  adverInt: 500,
  authPass: null,
};
const v2Expect: AdvertExpectation = {
  version: 2,
  vrid: 51,
  authType: 1,
  authData: authData("mysecretpass"),
  adverInt: 1000,
  addresses: v2Fields.addresses,
  unicast: false,
};
const v3Expect: AdvertExpectation = {
  ...v2Expect,
  version: 3,
  vrid: 7,
  authType: 0,
  adverInt: 500,
  addresses: v3Fields.addresses,
};

function ok(buf: Buffer): ReceivedAdvert {
  const v = parseAdvert(buf);
  assert.ok(v.ok, `parse failed: ${v.ok ? "" : v.reason}`);
  return v.advert;
}

test("golden: encoder reproduces keepalived's v2 PASS adverts byte for byte", () => {
  const enc = new AdvertEncoder(v2Fields);
  assert.equal(enc.encode(150).toString("hex"), golden.v2[0]!.slice(40));
  assert.equal(enc.encode(0).toString("hex"), golden.v2[1]!.slice(40));
});

test("golden: encoder reproduces keepalived's v3 adverts (pseudo-header checksum)", () => {
  const enc = new AdvertEncoder(v3Fields, SRC, GROUP);
  assert.equal(enc.encode(100).toString("hex"), golden.v3[0]!.slice(40));
  assert.equal(enc.encode(0).toString("hex"), golden.v3[1]!.slice(40));
});

test("golden: keepalived captures parse and pass the instance checks", () => {
  const a = ok(Buffer.from(golden.v2[0]!, "hex"));
  assert.deepEqual(
    [a.version, a.vrid, a.priority, a.addressCount, a.authType, a.adverInt, a.ttl],
    [2, 51, 150, 1, 1, 1000, 255],
  );
  assert.equal(advertAddress(a, 0), ip("198.18.0.100"));
  assert.equal(checkAdvert(a, v2Expect), null);
  const z = ok(Buffer.from(golden.v2[1]!, "hex"));
  assert.equal(z.priority, 0);
  const b = ok(Buffer.from(golden.v3[0]!, "hex"));
  assert.deepEqual([b.version, b.vrid, b.priority, b.addressCount, b.adverInt], [3, 7, 100, 2, 500]);
  assert.equal(checkAdvert(b, v3Expect), null);
});

test("receive checks: each bad field gets its own verdict", () => {
  const good = new AdvertEncoder(v2Fields).encode(100);
  const reason = (buf: Buffer, e = v2Expect) => {
    const v = parseAdvert(buf);
    return v.ok ? checkAdvert(v.advert, e) : v.reason;
  };
  assert.equal(reason(datagram(good)), null);
  assert.equal(reason(datagram(good, { ttl: 64 })), "ttl");
  assert.equal(reason(datagram(good, { ttl: 64 }), { ...v2Expect, unicast: true }), null);
  assert.equal(reason(datagram(good, { proto: 17 })), "not_vrrp");
  const badSum = Buffer.from(good);
  badSum[7]! ^= 1;
  assert.equal(reason(datagram(badSum)), "checksum");
  const mk = (f: Partial<AdvertFields>) =>
    datagram(new AdvertEncoder({ ...v2Fields, ...f }, SRC, GROUP).encode(100));
  assert.equal(reason(mk({ vrid: 52 })), "vrid");
  assert.equal(reason(mk({ authPass: "another" })), "auth_failure");
  assert.equal(reason(mk({ authPass: "mysecretXXX" })), null, "only the first 8 characters count");
  assert.equal(reason(mk({ authPass: null })), "auth_type_mismatch");
  assert.equal(reason(mk({ adverInt: 2000 })), "interval_mismatch");
  assert.equal(reason(mk({ addresses: [ip("198.18.0.100"), ip("198.18.0.101")] })), "addr_count");
  assert.equal(reason(mk({ addresses: [ip("198.18.0.99")] })), "addr_list");
  assert.equal(reason(mk({ version: 3, authPass: null })), "version");
  const badType = Buffer.from(good);
  badType[0] = 0x22;
  assert.equal(reason(datagram(badType)), "type");
  const badAuth = Buffer.from(good);
  badAuth[4] = 9;
  assert.equal(reason(datagram(badAuth)), "checksum", "checksum is checked before the auth type");
  assert.equal(reason(datagram(good).subarray(0, 30)), "length");
  const shortTot = datagram(good.subarray(0, 6));
  assert.equal(reason(shortTot), "too_short");
  assert.equal(reason(datagram(Buffer.concat([good, Buffer.alloc(4)]))), "too_long");
  assert.equal(reason(Buffer.alloc(2000)), "too_long");
  assert.equal(reason(Buffer.alloc(10)), "ip_header");
});

test("v3: interval is adopted, not checked; checksum depends on addresses", () => {
  const enc = new AdvertEncoder({ ...v3Fields, adverInt: 2500 }, SRC, GROUP);
  const a = ok(datagram(enc.encode(100)));
  assert.equal(a.adverInt, 2500);
  assert.equal(checkAdvert(a, v3Expect), null);
  const wrongDst = datagram(enc.encode(100), { dst: ip("198.18.0.2") });
  const v = parseAdvert(wrongDst);
  assert.equal(v.ok ? "ok" : v.reason, "checksum");
});

test("fuzz: encode → parse round-trips every field", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(2 as const, 3 as const),
      fc.integer({ min: 1, max: 255 }),
      fc.integer({ min: 0, max: 255 }),
      fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 0, maxLength: 20 }),
      fc.option(fc.string({ maxLength: 12 })),
      (version, vrid, priority, addresses, pass) => {
        const adverInt = version === 2 ? 3000 : 1230;
        const enc = new AdvertEncoder({ version, vrid, addresses, adverInt, authPass: pass }, SRC, GROUP);
        const a = ok(datagram(enc.encode(priority)));
        assert.deepEqual(
          [a.version, a.vrid, a.priority, a.addressCount, a.adverInt],
          [version, vrid, priority, addresses.length, adverInt],
        );
        for (const [i, x] of addresses.entries()) assert.equal(advertAddress(a, i), x);
      },
    ),
  );
});

test("fuzz: random bytes and mutations never throw", () => {
  const base = datagram(new AdvertEncoder(v2Fields).encode(100));
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 1200 }), (bytes) => {
      const v = parseAdvert(Buffer.from(bytes));
      if (v.ok) checkAdvert(v.advert, v2Expect);
    }),
  );
  fc.assert(
    fc.property(fc.integer({ min: 0, max: base.length - 1 }), fc.integer({ min: 0, max: 255 }), (at, val) => {
      const b = Buffer.from(base);
      b[at] = val;
      const v = parseAdvert(b);
      if (v.ok) checkAdvert(v.advert, v2Expect);
    }),
  );
  for (let cut = 0; cut <= base.length; cut++) {
    const v = parseAdvert(base.subarray(0, cut));
    if (cut < base.length) assert.equal(v.ok, false);
  }
});
