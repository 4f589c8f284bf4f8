/**
 * The hot path of live HLS delivery on raw sockets: a GET or HEAD of a file
 * the packager holds in memory (playlist or segment), or of a small file on
 * disk, with or without
 * If-None-Match / If-Modified-Since, is answered here straight from the
 * socket's bytes, with the very headers the node:http path would send.
 * Everything else (another method, a body, Range, an encoded or unusual
 * target, a big or missing file, onair's own routes, HTTP/1.0, a malformed or
 * oversized head...) hands the connection, with every byte not yet answered,
 * to node:http, which keeps it to the end. Responses stay in request order
 * because the fast path writes synchronously and stops at the first request
 * it does not take.
 */
import type { Socket } from "node:net";
import { parseRequestHead } from "../../protocol/http/request-head.js";
import { type AccessLogSink, formatCombined } from "./access-log-line.js";
import { evaluateConditionals } from "./conditional.js";

/** What a request path resolves to when it may be served from memory. */
export interface FastRoute {
  /** Absolute path looked up in the overlay, then on disk. */
  file: string;
  /** The location's root (or alias) the file must stay inside. */
  base: string;
  contentType: string;
  /** `Name: value\r\n` lines of add_header for 2xx/3xx. */
  addHeaders: string;
}

export interface MemoryEntry {
  data: Buffer;
  mtimeMs: number;
  etag: string;
}

export interface FastPathHost {
  /** The route for a target with a plain path, or null to leave the request to node:http. */
  route(socket: Socket, host: string, path: string): FastRoute | null;
  /** The file's body from memory, or a small file from disk; undefined leaves it to node:http. */
  lookup(route: FastRoute): MemoryEntry | undefined;
  readonly accessLog: AccessLogSink | null;
  /** keepalive_timeout in ms (0: close after each response). */
  keepAliveMs(): number;
  quitting(): boolean;
  /** Called once per request answered here. */
  served(): void;
}

/** Same bound as node:http's maxHeaderSize of this server. */
const MAX_HEAD_BYTES = 32 * 1024;
/** Bodies up to this size are sent in one buffer with their head. */
const COPY_BODY_MAX = 16 * 1024;
/** Stop answering (and reading) a pipelining client while this much is unsent. */
const HIGH_WATER = 1024 * 1024;
/** A path with nothing to decode or normalise (no `%`, `\`, `//`, `.` segments). */
const PLAIN_PATH = /^\/(?:[A-Za-z0-9_~!$&'()*+,;=:@-][A-Za-z0-9._~!$&'()*+,;=:@-]*\/?)*$/;

let dateSecond = -1;
let dateText = "";
/** The Date header value, formatted once a second. */
function httpDate(now: number): string {
  const s = Math.floor(now / 1000);
  if (s !== dateSecond) {
    dateSecond = s;
    dateText = new Date(s * 1000).toUTCString();
  }
  return dateText;
}

const validatorCache = new WeakMap<MemoryEntry, string>();
/** `Last-Modified` and `ETag` lines of an entry, formatted once per entry. */
function validators(e: MemoryEntry): string {
  let v = validatorCache.get(e);
  if (v === undefined) {
    v = `Last-Modified: ${new Date(Math.floor(e.mtimeMs / 1000) * 1000).toUTCString()}\r\nETag: ${e.etag}\r\n`;
    validatorCache.set(e, v);
  }
  return v;
}

export type HandOff = (socket: Socket, unread: Buffer) => void;

/** Serves one connection until it ends or is handed to node:http. */
export class FastConnection {
  readonly #socket: Socket;
  readonly #host: FastPathHost;
  readonly #handOff: HandOff;
  readonly #onData = (chunk: Buffer) => this.#receive(chunk);
  readonly #onTimeout = () => this.#socket.destroy();
  readonly #onError = () => this.#socket.destroy();
  readonly #onDrain = () => this.#drained();
  #done = false;
  /** Requests received but not yet parsed while the client is not reading. */
  #parked: Buffer | null = null;
  /** The start of a request head whose end has not come yet. */
  #partial: Buffer | null = null;

  constructor(socket: Socket, host: FastPathHost, handOff: HandOff) {
    this.#socket = socket;
    this.#host = host;
    this.#handOff = handOff;
    socket.on("data", this.#onData);
    socket.on("error", this.#onError);
    socket.on("timeout", this.#onTimeout);
    socket.on("drain", this.#onDrain);
    socket.setTimeout(host.keepAliveMs() || 60_000);
  }

  get socket(): Socket {
    return this.#socket;
  }

  /** Ends the connection after what was written (quit: every fast connection is idle between reads). */
  end(): void {
    this.#socket.end();
  }

  #receive(data: Buffer): void {
    const chunk = this.#partial === null ? data : Buffer.concat([this.#partial, data]);
    this.#partial = null;
    let off = 0;
    while (off < chunk.length && !this.#done) {
      if (this.#socket.writableLength > HIGH_WATER) {
        // a client that sends requests without reading the answers: wait for it
        this.#parked = chunk.subarray(off);
        this.#socket.pause();
        return;
      }
      const head = parseRequestHead(chunk, off, MAX_HEAD_BYTES);
      if (head.kind === "incomplete") {
        // the rest of this head comes with the next read (bounded by MAX_HEAD_BYTES)
        this.#partial = Buffer.from(chunk.subarray(off));
        return;
      }
      if (head.kind !== "ok" || !this.#serve(head.method, head.target, head.minor, head.headers)) {
        this.#release(chunk.subarray(off));
        return;
      }
      off = head.end;
    }
  }

  /** The socket drained: answer what was parked, then read again. */
  #drained(): void {
    const parked = this.#parked;
    if (parked === null || this.#done) return;
    this.#parked = null;
    this.#receive(parked);
    if (this.#parked === null && !this.#done) this.#socket.resume();
  }

  /** Gives the socket and its unanswered bytes to node:http. */
  #release(unread: Buffer): void {
    this.#done = true;
    const s = this.#socket;
    s.pause();
    s.setTimeout(0);
    s.removeListener("data", this.#onData);
    s.removeListener("error", this.#onError);
    s.removeListener("timeout", this.#onTimeout);
    s.removeListener("drain", this.#onDrain);
    this.#handOff(s, unread);
  }

  /** Answers one request; false when it is not the fast path's to answer. */
  #serve(method: string, target: string, minor: number, h: Record<string, string>): boolean {
    if ((method !== "GET" && method !== "HEAD") || minor !== 1) return false;
    const host = h.host;
    if (host === undefined || h.range !== undefined || h["transfer-encoding"] !== undefined) return false;
    if (h["content-length"] !== undefined && h["content-length"] !== "0") return false;
    if (h.expect !== undefined || h.upgrade !== undefined) return false;
    const q = target.indexOf("?");
    const path = q < 0 ? target : target.slice(0, q);
    if (path.includes("#") || !PLAIN_PATH.test(path) || path.endsWith("/")) return false;
    const route = this.#host.route(this.#socket, host, path);
    if (!route) return false;
    const entry = this.#host.lookup(route);
    if (!entry) return false;
    const verdict = evaluateConditionals(h, { mtimeSec: Math.floor(entry.mtimeMs / 1000), etag: entry.etag });
    if (verdict !== 200 && verdict !== 304) return false;
    const close =
      this.#host.quitting() || this.#host.keepAliveMs() === 0 || /\bclose\b/i.test(h.connection ?? "");
    this.#write(route, entry, verdict, method === "HEAD", close);
    this.#host.served();
    this.#log(method, target, verdict, verdict === 200 && method === "GET" ? entry.data.length : 0, h);
    if (close) {
      this.#done = true;
      this.#socket.end();
    }
    return true;
  }

  #write(route: FastRoute, e: MemoryEntry, status: 200 | 304, headOnly: boolean, close: boolean): void {
    const conn = close
      ? "Connection: close\r\n"
      : `Connection: keep-alive\r\nKeep-Alive: timeout=${Math.floor(this.#host.keepAliveMs() / 1000)}\r\n`;
    const tail = `${route.addHeaders}Date: ${httpDate(Date.now())}\r\n${conn}\r\n`;
    if (status === 304) {
      this.#socket.write(`HTTP/1.1 304 Not Modified\r\nServer: onair\r\n${validators(e)}${tail}`, "latin1");
      return;
    }
    const body = e.data;
    const head =
      `HTTP/1.1 200 OK\r\nServer: onair\r\n${validators(e)}Content-Type: ${route.contentType}\r\n` +
      `Accept-Ranges: bytes\r\nContent-Length: ${body.length}\r\n${tail}`;
    if (headOnly) {
      this.#socket.write(head, "latin1");
    } else if (body.length <= COPY_BODY_MAX) {
      const out = Buffer.allocUnsafe(head.length + body.length);
      out.write(head, 0, "latin1");
      body.copy(out, head.length);
      this.#socket.write(out);
    } else {
      this.#socket.cork();
      this.#socket.write(head, "latin1");
      this.#socket.write(body);
      this.#socket.uncork();
    }
  }

  #log(method: string, target: string, status: number, bytes: number, h: Record<string, string>): void {
    const sink = this.#host.accessLog;
    if (!sink) return;
    sink.write(
      formatCombined({
        remoteAddr: this.#socket.remoteAddress ?? "-",
        time: new Date(),
        request: `${method} ${target} HTTP/1.1`,
        status,
        bodyBytesSent: bytes,
        referer: h.referer,
        userAgent: h["user-agent"],
      }),
    );
  }
}
