/**
 * A live HLS client for end-to-end suites: fetches one playlist every
 * `intervalMs`, GETs each newly listed segment once (saved to a folder for
 * ffprobe) and HEADs every segment still listed, through the whole test. It
 * counts requests, 404s (a playlist 404 before its first 200 is "not yet
 * published", not counted), wrong headers and refused connections (a server
 * restart), and keeps every distinct playlist text it saw.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type MediaPlaylist, parseMediaPlaylist } from "../../src/protocol/hls/media-playlist.js";
import { sleep } from "./env.js";

export interface PolledSegment {
  uri: string;
  seq: number;
  /** EXTINF, seconds. */
  duration: number;
  discontinuity: boolean;
  file: string;
}

export interface PollerStats {
  playlistRequests: number;
  segmentRequests: number;
  /** "GET /hls/x.ts" for every 404 after the playlist was first served. */
  notFound: string[];
  /** Responses missing the guide's headers. */
  badHeaders: string[];
  /** Requests that got no response (server down during a restart). */
  connectionErrors: number;
  otherStatus: string[];
}

const GUIDE_HEADERS = { "cache-control": "no-cache", "access-control-allow-origin": "*" };

export class HlsPoller {
  readonly stats: PollerStats = {
    playlistRequests: 0,
    segmentRequests: 0,
    notFound: [],
    badHeaders: [],
    connectionErrors: 0,
    otherStatus: [],
  };
  /** Every distinct playlist text served, in order. */
  readonly playlists: string[] = [];
  /** Segments fetched, by URI, in the order first listed. */
  readonly segments = new Map<string, PolledSegment>();
  /** When the playlist was first served (performance.now()), or null. */
  firstPlaylistAt: number | null = null;
  readonly #base: string;
  readonly #path: string;
  readonly #dir: string;
  readonly #intervalMs: number;
  #running = false;
  #loop: Promise<void> = Promise.resolve();

  constructor(o: { base: string; playlistPath: string; saveDir: string; intervalMs?: number }) {
    this.#base = o.base;
    this.#path = o.playlistPath;
    this.#dir = o.saveDir;
    this.#intervalMs = o.intervalMs ?? 200;
  }

  /** The last playlist served, parsed (null before the first). */
  get last(): MediaPlaylist | null {
    const text = this.playlists.at(-1);
    return text ? parseMediaPlaylist(text) : null;
  }

  start(): void {
    this.#running = true;
    this.#loop = (async () => {
      while (this.#running) {
        const began = performance.now();
        await this.#tick();
        await sleep(Math.max(0, this.#intervalMs - (performance.now() - began)));
      }
    })();
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#loop;
  }

  async #tick(): Promise<void> {
    const res = await this.#request("GET", this.#path, "application/vnd.apple.mpegurl");
    if (res?.status !== 200) return;
    if (this.firstPlaylistAt === null) this.firstPlaylistAt = performance.now();
    const text = res.body.toString("utf8");
    if (this.playlists.at(-1) !== text) this.playlists.push(text);
    const p = parseMediaPlaylist(text);
    if (!p) {
      this.stats.otherStatus.push(`unparsable playlist: ${text.slice(0, 200)}`);
      return;
    }
    const dir = this.#path.slice(0, this.#path.lastIndexOf("/") + 1);
    for (const [i, s] of p.segments.entries()) {
      const path = s.uri.startsWith("/") ? s.uri : dir + s.uri;
      if (this.segments.has(s.uri)) {
        await this.#request("HEAD", path, "video/mp2t");
        continue;
      }
      const r = await this.#request("GET", path, "video/mp2t");
      if (r?.status !== 200) continue;
      const file = join(this.#dir, s.uri.replace(/[^\w.-]/g, "_"));
      writeFileSync(file, r.body);
      this.segments.set(s.uri, {
        uri: s.uri,
        seq: p.mediaSequence + i,
        duration: s.duration,
        discontinuity: s.discontinuity,
        file,
      });
    }
  }

  async #request(
    method: "GET" | "HEAD",
    path: string,
    type: string,
  ): Promise<{ status: number; body: Buffer } | null> {
    const isPlaylist = path === this.#path;
    if (isPlaylist) this.stats.playlistRequests++;
    else this.stats.segmentRequests++;
    let res: Response;
    let body: Buffer;
    try {
      res = await fetch(this.#base + path, { method, signal: AbortSignal.timeout(3000) });
      body = Buffer.from(await res.arrayBuffer());
    } catch {
      this.stats.connectionErrors++;
      return null;
    }
    if (res.status === 404) {
      if (!isPlaylist || this.firstPlaylistAt !== null) this.stats.notFound.push(`${method} ${path}`);
    } else if (res.status !== 200) {
      this.stats.otherStatus.push(`${res.status} ${method} ${path}`);
    } else {
      const want: Record<string, string> = { ...GUIDE_HEADERS, "content-type": type };
      for (const [h, v] of Object.entries(want)) {
        if (res.headers.get(h) !== v)
          this.stats.badHeaders.push(`${method} ${path}: ${h}: ${res.headers.get(h)}`);
      }
    }
    return { status: res.status, body };
  }
}
