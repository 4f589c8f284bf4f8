import assert from "node:assert/strict";
import { test } from "node:test";
import type { LocationConfig } from "../../config/types.js";
import { matchLocation } from "./location-match.js";
import { contentTypeFor, escapePath, mapUriToPath } from "./static-handler.js";

function loc(path: string, modifier: LocationConfig["modifier"] = "", extra: Partial<LocationConfig> = {}) {
  return {
    path,
    modifier,
    types: new Map([["m3u8", "application/vnd.apple.mpegurl"]]),
    defaultType: "application/octet-stream",
    root: "/srv/www",
    alias: null,
    index: ["index.html"],
    addHeaders: [],
    pos: { file: "t", line: 1 },
    ...extra,
  } satisfies LocationConfig;
}

test("exact beats prefix, longest prefix wins", () => {
  const root = loc("/");
  const hls = loc("/hls");
  const hlsLive = loc("/hls/live", "^~");
  const exact = loc("/hls", "=");
  const all = [root, hls, hlsLive, exact];
  assert.equal(matchLocation(all, "/"), root);
  assert.equal(matchLocation(all, "/hls"), exact);
  assert.equal(matchLocation(all, "/hls/a.ts"), hls);
  assert.equal(matchLocation(all, "/hlsx"), hls);
  assert.equal(matchLocation(all, "/hls/live/a.ts"), hlsLive);
  assert.equal(matchLocation(all, "/x"), root);
  assert.equal(matchLocation([hls], "/x"), null);
  assert.equal(matchLocation([hls], "/HLS/a.ts"), null);
});

test("root and alias mapping stay inside", () => {
  assert.deepEqual(mapUriToPath(loc("/hls"), "/hls/a.ts"), { base: "/srv/www", file: "/srv/www/hls/a.ts" });
  assert.deepEqual(mapUriToPath(loc("/"), "/"), { base: "/srv/www", file: "/srv/www/" });
  const alias = loc("/media/", "", { alias: "/data/m/" });
  assert.deepEqual(mapUriToPath(alias, "/media/x.ts"), { base: "/data/m", file: "/data/m/x.ts" });
  // the classic alias traversal (location without slash, alias with one): refused
  const sloppy = loc("/media", "", { alias: "/data/m/" });
  assert.equal(mapUriToPath(sloppy, "/media../secret"), null);
  const exact = loc("/logo", "=", { alias: "/data/logo.png" });
  assert.deepEqual(mapUriToPath(exact, "/logo"), { base: "/data/logo.png", file: "/data/logo.png" });
});

test("content type from the URI extension, lowercased, else default_type", () => {
  const l = loc("/");
  assert.equal(contentTypeFor(l, "/hls/a.M3U8"), "application/vnd.apple.mpegurl");
  assert.equal(contentTypeFor(l, "/hls/a.ts"), "application/octet-stream");
  assert.equal(contentTypeFor(l, "/x.d/readme"), "application/octet-stream");
});

test("paths in Location headers are escaped", () => {
  assert.equal(escapePath("/a b/c?d#e\r\nX: y/é"), "/a%20b/c%3Fd%23e%0D%0AX:%20y/%C3%A9");
});
