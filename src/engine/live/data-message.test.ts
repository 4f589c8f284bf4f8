import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { encodeAmf0 } from "../../protocol/amf/index.js";
import { parseAddress } from "./access-rules.js";
import { classifyData, metadataNumber, metadataString, splitAggregate } from "./data-message.js";

function tag(type: number, ts: number, body: Uint8Array): Buffer {
  const h = Buffer.alloc(11);
  h[0] = type;
  h.writeUIntBE(body.length, 1, 3);
  h.writeUIntBE(ts & 0xffffff, 4, 3);
  h[7] = ts >>> 24;
  const tail = Buffer.alloc(4);
  tail.writeUInt32BE(11 + body.length);
  return Buffer.concat([h, Buffer.from(body), tail]);
}

test("aggregate split gives back the sub-messages, timestamps moved to the aggregate's", () => {
  const part = fc.record({
    type: fc.constantFrom(8, 9, 18),
    delta: fc.integer({ min: 0, max: 5000 }),
    body: fc.uint8Array({ maxLength: 300 }),
  });
  fc.assert(
    fc.property(
      fc.array(part, { minLength: 1, maxLength: 20 }),
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.integer({ min: 0, max: 0x7fffffff }),
      (parts, base, aggTs) => {
        let ts = base;
        const tags = parts.map((p) => {
          ts = (ts + p.delta) >>> 0;
          return { ...p, ts };
        });
        const agg = Buffer.concat(tags.map((x) => tag(x.type, x.ts, x.body)));
        const out = splitAggregate(agg, aggTs)!;
        assert.equal(out.length, parts.length);
        out.forEach((o, i) => {
          assert.equal(o.type, tags[i]!.type);
          assert.ok(o.payload.equals(Buffer.from(tags[i]!.body)));
          assert.equal(o.timestamp, (aggTs + (tags[i]!.ts - tags[0]!.ts)) >>> 0);
        });
      },
    ),
  );
});

test("byte-level readers never throw on random input", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 0, max: 0xffffffff }), (bytes, ts) => {
      const b = Buffer.from(bytes);
      classifyData(b);
      metadataNumber(b, "width");
      metadataString(b, "encoder");
      const parts = splitAggregate(b, ts);
      if (parts) for (const p of parts) assert.ok(p.payload.length <= b.length);
    }),
  );
  fc.assert(
    fc.property(fc.string(), (s) => {
      parseAddress(s);
    }),
  );
});

test("@setDataFrame onMetaData is kept as onMetaData; numbers and strings are found", () => {
  const body = encodeAmf0("onMetaData", { width: 1280, height: 720, encoder: "Lavf59" });
  const v = classifyData(Buffer.concat([encodeAmf0("@setDataFrame"), body]));
  assert.equal(v.kind, "metadata");
  assert.ok(v.kind === "metadata" && v.body.equals(body));
  assert.equal(metadataNumber(body, "width"), 1280);
  assert.equal(metadataNumber(body, "height"), 720);
  assert.equal(metadataString(body, "encoder"), "Lavf59");
  assert.equal(classifyData(encodeAmf0("@clearDataFrame")).kind, "clear");
  assert.equal(classifyData(encodeAmf0("onCuePoint", { a: 1 })).kind, "relay");
});
