import assert from "node:assert/strict";
import { test } from "node:test";
import type { LocationConfig, NginxConfig } from "../config/types.js";
import { OnairError } from "../util/errors.js";
import { toStartError } from "./process/start-error.js";
import { hlsPlaylistUri } from "./streaming-server.js";

function loc(path: string, root: string, alias: string | null = null): LocationConfig {
  return {
    path,
    modifier: "",
    types: new Map(),
    defaultType: "application/octet-stream",
    root,
    alias,
    index: ["index.html"],
    addHeaders: [],
    pos: { file: "x", line: 1 },
  };
}

function withLocations(locations: LocationConfig[]): NginxConfig {
  return {
    http: { servers: [{ listen: [], serverName: [], locations, pos: { file: "x", line: 1 } }] },
  } as unknown as NginxConfig;
}

test("the playlist URI follows the location serving hls_path (the guide's root, alias, nested)", () => {
  const guide = withLocations([loc("/", "/usr/local/nginx/html"), loc("/hls", "/var/www/html")]);
  assert.equal(hlsPlaylistUri(guide, "/var/www/html/hls", "test", false), "/hls/test.m3u8");
  assert.equal(hlsPlaylistUri(guide, "/var/www/html/hls/", "test", true), "/hls/test/index.m3u8");
  const alias = withLocations([loc("/live/", "/srv/html", "/data/hls/")]);
  assert.equal(hlsPlaylistUri(alias, "/data/hls", "cam", false), "/live/cam.m3u8");
  assert.equal(hlsPlaylistUri(guide, "/elsewhere/hls", "test", false), null);
});

test("listen failures become nginx's bind() line", () => {
  const inUse = Object.assign(new Error("listen EADDRINUSE"), {
    code: "EADDRINUSE",
    syscall: "listen",
    address: "::",
    port: 1935,
  });
  assert.equal(toStartError(inUse).message, "bind() to 0.0.0.0:1935 failed (98: Address already in use)");
  const denied = Object.assign(new Error("x"), {
    code: "EACCES",
    syscall: "listen",
    address: "127.0.0.1",
    port: 80,
  });
  assert.equal(toStartError(denied).message, "bind() to 127.0.0.1:80 failed (13: Permission denied)");
  const http = new OnairError("ONAIR_HTTP_LISTEN_FAILED", "bind() to 127.0.0.1:8080 failed (EADDRINUSE)");
  assert.equal(toStartError(http).message, "bind() to 127.0.0.1:8080 failed (98: Address already in use)");
  assert.equal(toStartError(new Error("other")).message, "other");
});
