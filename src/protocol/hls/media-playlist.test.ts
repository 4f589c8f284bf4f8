import assert from "node:assert/strict";
import { test } from "node:test";
import { formatDuration, parseMediaPlaylist, renderMediaPlaylist } from "./media-playlist.js";

test("renders RFC 8216 text: header tags, discontinuity, 3-decimal EXTINF, ENDLIST", () => {
  const text = renderMediaPlaylist({
    version: 3,
    targetDuration: 5,
    mediaSequence: 41,
    discontinuitySequence: 2,
    segments: [
      { duration: 4, uri: "s-41.ts", discontinuity: false },
      { duration: 2.0404, uri: "s-42.ts", discontinuity: true },
    ],
    endList: true,
  });
  assert.equal(
    text,
    [
      "#EXTM3U",
      "#EXT-X-VERSION:3",
      "#EXT-X-TARGETDURATION:5",
      "#EXT-X-MEDIA-SEQUENCE:41",
      "#EXT-X-DISCONTINUITY-SEQUENCE:2",
      "#EXTINF:4.000,",
      "s-41.ts",
      "#EXT-X-DISCONTINUITY",
      "#EXTINF:2.040,",
      "s-42.ts",
      "#EXT-X-ENDLIST",
      "",
    ].join("\n"),
  );
  assert.deepEqual(parseMediaPlaylist(text), {
    version: 3,
    targetDuration: 5,
    mediaSequence: 41,
    discontinuitySequence: 2,
    segments: [
      { duration: 4, uri: "s-41.ts", discontinuity: false },
      { duration: 2.04, uri: "s-42.ts", discontinuity: true },
    ],
    endList: true,
  });
});

test("no DISCONTINUITY-SEQUENCE tag while it is 0", () => {
  const t = renderMediaPlaylist({
    version: 3,
    targetDuration: 3,
    mediaSequence: 0,
    discontinuitySequence: 0,
    segments: [],
    endList: false,
  });
  assert.ok(!t.includes("DISCONTINUITY"));
});

test("parses nginx-rtmp's playlists (CRLF, EXT-X-ALLOW-CACHE, integer EXTINF)", () => {
  const p = parseMediaPlaylist(
    "#EXTM3U\r\n#EXT-X-MEDIA-SEQUENCE:7\r\n#EXT-X-TARGETDURATION:3\r\n#EXT-X-ALLOW-CACHE:NO\r\n\r\n#EXTINF:3,\r\ntest-7.ts\r\n",
  );
  assert.equal(p?.mediaSequence, 7);
  assert.deepEqual(p?.segments, [{ duration: 3, uri: "test-7.ts", discontinuity: false }]);
  assert.equal(parseMediaPlaylist("garbage"), null);
});

test("formatDuration rounds to the millisecond", () => {
  assert.equal(formatDuration(3.9996), "4.000");
  assert.equal(formatDuration(0.0404), "0.040");
});
