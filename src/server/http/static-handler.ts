/**
 * nginx's static and index content handlers for one request: location
 * choice, root/alias mapping, index files (an internal redirect that matches
 * the locations again), the 301 that adds a directory's slash, MIME types,
 * validators, conditional requests, Range and HEAD.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { normalize } from "node:path";
import type { LocationConfig } from "../../config/types.js";
import type { Logger } from "../../util/logger.js";
import { parseRange, type RangeVerdict } from "./byte-range.js";
import { evaluateConditionals, ifRangeAllows } from "./conditional.js";
import { closeFd, type FileLookup, type FileSource, isInside } from "./file-source.js";
import { matchLocation } from "./location-match.js";
import { type Reply, sendBody, sendStatus } from "./reply.js";

type Entity = Extract<FileLookup, { kind: "memory" | "file" }>;

/** A decoded path made safe for a Location header (`?` and `#` are data here). */
export function escapePath(path: string): string {
  return encodeURI(path).replaceAll("?", "%3F").replaceAll("#", "%23");
}

/** Closes the descriptor of an entity that will not be sent. */
function release(f: Entity): void {
  if (f.kind === "file") closeFd(f.fd);
}

/** nginx's limit on internal redirects (NGX_HTTP_MAX_URI_CHANGES). */
const MAX_URI_CHANGES = 10;

export interface StaticRequest {
  req: IncomingMessage;
  res: ServerResponse;
  reply: Reply;
  /** Decoded, normalised URI path. */
  uri: string;
  /** Raw query string ("" if none). */
  args: string;
  locations: readonly LocationConfig[];
  /** Used when no location matches (the server level: root PREFIX/html, http types). */
  fallback: LocationConfig;
  /** `host[:port]` for absolute redirects. */
  authority: string;
}

/** Maps a URI to an absolute file path (ngx_http_map_uri_to_path); null when it leaves the root. */
export function mapUriToPath(loc: LocationConfig, uri: string): { base: string; file: string } | null {
  let base: string;
  let file: string;
  if (loc.alias !== null) {
    base = normalize(loc.alias);
    file = loc.alias + (loc.modifier === "=" ? "" : uri.slice(loc.path.length));
  } else {
    base = normalize(loc.root);
    file = loc.root + uri;
  }
  const keepSlash = file.endsWith("/");
  file = normalize(file);
  if (keepSlash && !file.endsWith("/")) file += "/";
  const check = file.length > 1 && file.endsWith("/") ? file.slice(0, -1) : file;
  const b = base.length > 1 && base.endsWith("/") ? base.slice(0, -1) : base;
  return isInside(check, b) ? { base: b, file } : null;
}

/** The MIME type nginx picks from the URI's extension (lowercased), else default_type. */
export function contentTypeFor(loc: LocationConfig, uri: string): string {
  const slash = uri.lastIndexOf("/");
  const dot = uri.lastIndexOf(".");
  if (dot > slash) {
    const t = loc.types.get(uri.slice(dot + 1).toLowerCase());
    if (t) return t;
  }
  return loc.defaultType;
}

export class StaticHandler {
  readonly #files: FileSource;
  readonly #log: Logger;

  constructor(files: FileSource, log: Logger) {
    this.#files = files;
    this.#log = log;
  }

  async serve(r: StaticRequest): Promise<void> {
    const method = r.req.method ?? "GET";
    let uri = r.uri;
    for (let changes = 0; changes <= MAX_URI_CHANGES; changes++) {
      const loc = matchLocation(r.locations, uri) ?? r.fallback;
      if (method !== "GET" && method !== "HEAD" && method !== "POST") return sendStatus(r.reply, 405, loc);
      const mapped = mapUriToPath(loc, uri);
      if (!mapped) {
        this.#log.error(`access outside the root refused: "${uri}"`);
        return sendStatus(r.reply, 403, loc);
      }
      if (!uri.endsWith("/")) return this.#serveFile(r, loc, uri, mapped);
      const next = await this.#findIndex(loc, uri, mapped);
      if (typeof next === "number") return sendStatus(r.reply, next, loc);
      uri = next;
    }
    this.#log.error(`rewrite or internal redirection cycle while internally redirecting to "${uri}"`);
    return sendStatus(r.reply, 500, null);
  }

  /** The first index file that exists → its URI; none → 403 if the directory exists, else 404. */
  async #findIndex(
    loc: LocationConfig,
    uri: string,
    m: { base: string; file: string },
  ): Promise<string | number> {
    for (const name of loc.index) {
      if (name.startsWith("/")) return name;
      const found = await this.#files.lookup(m.file + name, m.base, false);
      if (found.kind === "memory" || found.kind === "file") return uri + name;
      if (found.kind === "error" && found.status !== 404) return found.status;
    }
    const dir = await this.#files.lookup(m.file, m.base, false);
    if (dir.kind === "dir") {
      this.#log.error(`directory index of "${m.file}" is forbidden`);
      return 403;
    }
    if (dir.kind === "error") return dir.status;
    return 404;
  }

  async #serveFile(r: StaticRequest, loc: LocationConfig, uri: string, m: { base: string; file: string }) {
    const found = await this.#files.lookup(m.file, m.base);
    if (found.kind === "error") {
      if (found.status !== 404) this.#log.error(`open() "${m.file}" failed (${found.reason})`);
      return sendStatus(r.reply, found.status, loc);
    }
    if (found.kind === "dir") {
      const location = `http://${r.authority}${escapePath(uri)}/${r.args ? `?${r.args}` : ""}`;
      return sendStatus(r.reply, 301, loc, { Location: location });
    }
    if (r.req.method === "POST") {
      release(found);
      return sendStatus(r.reply, 405, loc);
    }
    await this.#sendEntity(r, loc, uri, found);
  }

  async #sendEntity(r: StaticRequest, loc: LocationConfig, uri: string, f: Entity) {
    const size = f.kind === "memory" ? f.data.length : f.size;
    const v = { mtimeSec: Math.floor(f.mtimeMs / 1000), etag: f.etag };
    const headers: Record<string, string | number> = {
      "Last-Modified": new Date(v.mtimeSec * 1000).toUTCString(),
      ETag: f.etag,
    };
    const verdict = evaluateConditionals(r.req.headers, v);
    if (verdict !== 200) {
      release(f);
      return sendStatus(r.reply, verdict, loc, headers);
    }
    headers["Content-Type"] = contentTypeFor(loc, uri);
    let start = 0;
    let end = size - 1;
    let status = 200;
    const range: RangeVerdict = ifRangeAllows(r.req.headers, v)
      ? parseRange(r.req.headers.range, size)
      : { kind: "none" };
    if (range.kind === "unsatisfiable") {
      release(f);
      return sendStatus(r.reply, 416, loc, { "Content-Range": `bytes */${size}` });
    }
    if (range.kind === "range") {
      status = 206;
      start = range.start;
      end = range.end;
      headers["Content-Range"] = `bytes ${start}-${end}/${size}`;
    } else {
      headers["Accept-Ranges"] = "bytes";
    }
    await sendBody(r.reply, { status, loc, headers, source: f, start, end }); // closes f.fd
  }
}
