/**
 * onair's own two URLs beside the configured locations, used by the default
 * page (html/index.html + html/player.js):
 * - GET /onair/api/streams: the live streams as JSON, from `streams()`;
 * - GET /onair/hls.min.js: hls.js from node_modules (no outside CDN).
 * Only these exact paths are taken; every other URI goes to the locations.
 */
import { readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import type { Logger } from "../../util/logger.js";
import { evaluateConditionals, makeEtag } from "./conditional.js";
import { type Reply, sendBody, sendStatus } from "./reply.js";

export const STREAMS_PATH = "/onair/api/streams";
export const HLS_JS_PATH = "/onair/hls.min.js";

/** One live stream as the default page shows it. */
export interface StreamSummary {
  /** RTMP application, e.g. "live". */
  app: string;
  /** Stream name (the publisher's key), e.g. "test". */
  name: string;
  /** URL path of its HLS playlist (e.g. "/hls/test.m3u8"), null when the application has no HLS. */
  hls: string | null;
  /** When publishing started, ms since the epoch (optional). */
  since?: number;
  /** Short codec descriptions, e.g. "H.264 1280x720", "AAC 48000 Hz" (optional). */
  video?: string;
  audio?: string;
}

interface Asset {
  data: Buffer;
  mtimeMs: number;
  etag: string;
}

export class PlayerRoutes {
  readonly #streams: () => StreamSummary[];
  readonly #log: Logger;
  #hlsJs: Asset | null = null;

  constructor(streams: () => StreamSummary[], log: Logger) {
    this.#streams = streams;
    this.#log = log;
  }

  handles(path: string): boolean {
    return path === STREAMS_PATH || path === HLS_JS_PATH;
  }

  async serve(reply: Reply, path: string): Promise<void> {
    const method = reply.req.method;
    if (method !== "GET" && method !== "HEAD") return sendStatus(reply, 405, null);
    if (path === STREAMS_PATH) return this.#serveStreams(reply);
    const asset = this.#loadHlsJs();
    if (!asset) return sendStatus(reply, 404, null);
    const v = { mtimeSec: Math.floor(asset.mtimeMs / 1000), etag: asset.etag };
    const headers = { "Last-Modified": new Date(v.mtimeSec * 1000).toUTCString(), ETag: asset.etag };
    const verdict = evaluateConditionals(reply.req.headers, v);
    if (verdict !== 200) return sendStatus(reply, verdict, null, headers);
    await sendBody(reply, {
      status: 200,
      loc: null,
      headers: { ...headers, "Content-Type": "application/javascript" },
      source: { kind: "memory", data: asset.data },
      start: 0,
      end: asset.data.length - 1,
    });
  }

  async #serveStreams(reply: Reply): Promise<void> {
    let list: StreamSummary[];
    try {
      list = this.#streams();
    } catch (err) {
      this.#log.error(`streams() failed: ${String(err)}`);
      return sendStatus(reply, 500, null);
    }
    const data = Buffer.from(JSON.stringify({ streams: list }));
    await sendBody(reply, {
      status: 200,
      loc: null,
      headers: { "Content-Type": "application/json", "Cache-Control": "no-cache" },
      source: { kind: "memory", data },
      start: 0,
      end: data.length - 1,
    });
  }

  #loadHlsJs(): Asset | null {
    if (this.#hlsJs) return this.#hlsJs;
    try {
      const file = createRequire(import.meta.url).resolve("hls.js/dist/hls.min.js");
      const st = statSync(file);
      const data = readFileSync(file);
      this.#hlsJs = { data, mtimeMs: st.mtimeMs, etag: makeEtag(st.mtimeMs, st.size) };
    } catch (err) {
      this.#log.error(`hls.js not found in node_modules: ${String(err)}`);
    }
    return this.#hlsJs;
  }
}
