import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { decodeAmf0, encodeAmf0, markEcmaArray } from "../../protocol/amf/index.js";
import { readFlvTags } from "../../protocol/flv/flv-file.js";
import { metadataMembers, recordHead } from "./record-metadata.js";

const publisher = encodeAmf0(
  "onMetaData",
  markEcmaArray({ duration: 0, width: 640, height: 360, videocodecid: 7, audiocodecid: 10, encoder: "x" }),
);

test("the head leads with duration and filesize and drops keys of tracks not recorded", () => {
  const h = recordHead(publisher, { audio: true, video: false });
  assert.equal(h.bytes[4], 4);
  const tag = readFlvTags(h.bytes).next().value!;
  const [name, meta] = decodeAmf0(tag.body) as [string, Record<string, unknown>];
  assert.equal(name, "onMetaData");
  assert.deepEqual(Object.keys(meta), ["duration", "filesize", "audiocodecid", "encoder"]);
  // the patch slots are where the numbers are
  const b = Buffer.from(h.bytes);
  b.writeDoubleBE(12.5, h.durationAt);
  b.writeDoubleBE(999, h.filesizeAt);
  const patched = decodeAmf0(readFlvTags(b).next().value!.body)[1] as Record<string, unknown>;
  assert.equal(patched.duration, 12.5);
  assert.equal(patched.filesize, 999);
});

test("without publisher metadata (or with garbage) the head still has both slots", () => {
  for (const m of [null, Buffer.from([2, 0, 1, 0x41]), Buffer.alloc(70_000)]) {
    const h = recordHead(m, { audio: true, video: true });
    assert.ok(h.durationAt > 0 && h.filesizeAt > h.durationAt);
  }
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      metadataMembers(Buffer.from(bytes));
      const h = recordHead(Buffer.from(bytes), { audio: true, video: true });
      assert.ok(h.durationAt > 0);
    }),
  );
});
