/**
 * Shared by the HTTP end-to-end tests (test/http-*.test.ts, test/player-*.test.ts):
 * typed configs shaped like the guide's `http` block, a started HttpServer on a
 * free port with temp folders, and a raw TCP client (for requests that node's
 * own client would normalise).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import type { TestContext } from "node:test";
import type { LocationConfig, NginxConfig } from "../src/config/types.js";
import type { FileOverlay } from "../src/engine/media-sink.js";
import { HttpServer, type StreamSummary } from "../src/server/http/http-server.js";
import { memoryLogger } from "../src/util/logger.js";
import { freePort, tempDir } from "./helpers/env.js";

const pos = { file: "nginx.conf", line: 1 };

export const WEB_TYPES: [string, string][] = [
  ["html", "text/html"],
  ["js", "application/javascript"],
  ["css", "text/css"],
  ["txt", "text/plain"],
];

export const HLS_TYPES: [string, string][] = [
  ["m3u8", "application/vnd.apple.mpegurl"],
  ["ts", "video/mp2t"],
];

/** The guide's two add_header lines of `location /hls`. */
export const GUIDE_HLS_HEADERS = [
  { name: "Cache-Control", value: "no-cache", always: false },
  { name: "Access-Control-Allow-Origin", value: "*", always: false },
];

export function location(path: string, root: string, extra: Partial<LocationConfig> = {}): LocationConfig {
  return {
    path,
    modifier: "",
    types: new Map(WEB_TYPES),
    defaultType: "application/octet-stream",
    root,
    alias: null,
    index: ["index.html"],
    addHeaders: [],
    pos,
    ...extra,
  };
}

/** One server on 127.0.0.1:port with these locations. */
export function httpConfig(
  prefix: string,
  port: number,
  locations: LocationConfig[],
  keepaliveMs = 65000,
): NginxConfig {
  return {
    file: join(prefix, "conf/nginx.conf"),
    files: [],
    prefix,
    workerProcesses: 1,
    errorLog: [],
    pid: join(prefix, "logs/onair.pid"),
    daemon: false,
    masterProcess: false,
    workerConnections: 1024,
    rtmp: null,
    http: {
      types: new Map(WEB_TYPES),
      defaultType: "application/octet-stream",
      sendfile: true,
      keepaliveTimeout: keepaliveMs,
      accessLog: null,
      servers: [{ listen: [{ host: "127.0.0.1", port }], serverName: ["localhost"], locations, pos }],
      pos,
    },
  };
}

/** The guide's block: `location /hls { types {...}; root WWW; add_header ... }`, `location / { root HTML; index index.html; }`. */
export function guideConfig(prefix: string, www: string, html: string, port: number, keepaliveMs = 65000) {
  return httpConfig(
    prefix,
    port,
    [
      location("/hls", www, { types: new Map(HLS_TYPES), addHeaders: GUIDE_HLS_HEADERS }),
      location("/", html),
    ],
    keepaliveMs,
  );
}

export interface Fixture {
  base: string;
  www: string;
  port: number;
  url: string;
  server: HttpServer;
  access: string[];
  overlay: Map<string, { data: Buffer; mtimeMs: number; etag: string }>;
  /** The bytes of /hls/test-0.ts. */
  segment: Buffer;
  config: NginxConfig;
}

/** Starts an HttpServer on the guide's block with a playlist, a segment and a home page; stopped at test end. */
export async function startGuideServer(
  t: TestContext,
  keepaliveMs = 65000,
  fastPath = true,
): Promise<Fixture> {
  const base = tempDir(t, "onair-http-");
  const www = join(base, "www");
  mkdirSync(join(www, "hls", "sub"), { recursive: true });
  mkdirSync(join(base, "html", "empty"), { recursive: true });
  writeFileSync(join(base, "html", "index.html"), "<html>onair home</html>\n");
  writeFileSync(join(www, "hls", "test.m3u8"), "#EXTM3U\n#EXT-X-VERSION:3\n#EXTINF:1.0,\ntest-0.ts\n");
  const segment = Buffer.alloc(188 * 100);
  for (let i = 0; i < segment.length; i++) segment[i] = i % 188 === 0 ? 0x47 : i & 0xff;
  writeFileSync(join(www, "hls", "test-0.ts"), segment);
  const port = await freePort();
  const access: string[] = [];
  const overlay = new Map<string, { data: Buffer; mtimeMs: number; etag: string }>();
  const fo: FileOverlay = { get: (p) => overlay.get(p) };
  const streams: StreamSummary[] = [{ app: "live", name: "test", hls: "/hls/test.m3u8" }];
  const config = guideConfig(base, www, join(base, "html"), port, keepaliveMs);
  const server = new HttpServer({
    config,
    log: memoryLogger(),
    accessLog: { write: (l) => access.push(l) },
    overlay: fo,
    streams: () => streams,
    fastPath,
  });
  await server.start();
  t.after(() => server.stop());
  return { base, www, port, url: `http://127.0.0.1:${port}`, server, access, overlay, segment, config };
}

/** Sends raw bytes (latin1 for strings), returns everything the server sent until it closed. */
export function raw(port: number, data: string | Buffer, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => sock.destroy(), timeoutMs);
    sock.on("data", (c) => chunks.push(c));
    sock.on("error", reject);
    sock.on("close", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString("latin1"));
    });
    sock.write(typeof data === "string" ? Buffer.from(data, "latin1") : data);
  });
}

export interface Client {
  sock: Socket;
  /** Everything received so far (latin1). */
  text(): string;
  /** Resolves with Date.now() when the server closes the connection. */
  closed: Promise<number>;
}

/** A raw TCP client kept open (destroyed at test end) that gathers what it receives. */
export function openClient(t: TestContext, port: number): Client {
  const sock = connect(port, "127.0.0.1");
  t.after(() => sock.destroy());
  let got = "";
  sock.on("data", (c: Buffer) => {
    got += c.toString("latin1");
  });
  const closed = new Promise<number>((r) => sock.on("close", () => r(Date.now())));
  return { sock, text: () => got, closed };
}

export function statusOf(response: string): number {
  return Number(/^HTTP\/1\.[01] (\d{3})/.exec(response)?.[1] ?? 0);
}
