/**
 * Writing a response the way nginx shapes it: status line with nginx's
 * reason, add_header (only on 2xx/3xx unless `always`), the small HTML page
 * for 3xx/4xx/5xx, no body for HEAD and 304, Connection: close after the
 * statuses where nginx drops keep-alive. Bodies come from memory or from an
 * open file handle (read whole when small, streamed otherwise).
 */
import { createReadStream, read } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { LocationConfig } from "../../config/types.js";
import { closeFd } from "./file-source.js";
import { ADD_HEADER_STATUSES, CLOSING_STATUSES, REASONS, statusPage } from "./status-page.js";

/** Files up to this size are read in one call and sent as one buffer. */
const SMALL_FILE = 256 * 1024;
const STREAM_CHUNK = 256 * 1024;

export interface Reply {
  req: IncomingMessage;
  res: ServerResponse;
  /** What the access log needs once the response is over. */
  state: { status: number; bodyBytes: number };
  /** Forces `Connection: close` (keepalive_timeout 0, or the server is quitting). */
  noKeepAlive: boolean;
}

export type BodySource = { kind: "memory"; data: Buffer } | { kind: "file"; fd: number; size: number };

function head(
  reply: Reply,
  status: number,
  loc: LocationConfig | null,
  headers: Record<string, string | number>,
) {
  const { res } = reply;
  reply.state.status = status;
  res.statusCode = status;
  res.statusMessage = REASONS[status] ?? "Unknown";
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  if (loc) {
    const always = !ADD_HEADER_STATUSES.has(status);
    for (const h of loc.addHeaders) {
      if (h.value !== "" && (h.always || !always)) res.appendHeader(h.name, h.value);
    }
  }
  if (reply.noKeepAlive || CLOSING_STATUSES.has(status)) res.shouldKeepAlive = false;
}

/** A status answer: nginx's page for 3xx (except 304) and errors, nothing else. */
export function sendStatus(
  reply: Reply,
  status: number,
  loc: LocationConfig | null,
  headers: Record<string, string | number> = {},
): void {
  const page = status >= 300 && status !== 304 ? statusPage(status) : null;
  const h = { ...headers };
  if (page) {
    h["Content-Type"] = "text/html";
    h["Content-Length"] = page.length;
  }
  head(reply, status, loc, h);
  if (page && reply.req.method !== "HEAD") {
    reply.state.bodyBytes = page.length;
    reply.res.end(page);
  } else {
    reply.res.end();
  }
}

export interface BodyReply {
  status: number;
  loc: LocationConfig | null;
  headers: Record<string, string | number>;
  source: BodySource;
  /** First and last byte (inclusive); end < start for an empty body. */
  start: number;
  end: number;
}

/**
 * Sends headers and the body bytes [start, end]; resolves once the response is
 * over. A file descriptor given here is closed here (after the read, or by the
 * read stream when it ends or is destroyed: never twice).
 */
export async function sendBody(reply: Reply, b: BodyReply): Promise<void> {
  const { res } = reply;
  const length = Math.max(0, b.end - b.start + 1);
  head(reply, b.status, b.loc, { ...b.headers, "Content-Length": length });
  const over = new Promise<void>((resolve) => res.once("close", resolve));
  if (reply.req.method === "HEAD" || length === 0) {
    if (b.source.kind === "file") closeFd(b.source.fd);
    res.end();
  } else if (b.source.kind === "memory") {
    reply.state.bodyBytes = length;
    res.end(length === b.source.data.length ? b.source.data : b.source.data.subarray(b.start, b.end + 1));
  } else if (length <= SMALL_FILE) {
    const buf = Buffer.allocUnsafe(length);
    const fd = b.source.fd;
    const bytesRead = await new Promise<number>((res) =>
      read(fd, buf, 0, length, b.start, (e, n) => res(e ? -1 : n)),
    );
    closeFd(fd);
    if (bytesRead !== length) {
      res.destroy(); // the file shrank under us: never send a short body as complete
    } else {
      reply.state.bodyBytes = length;
      res.end(buf);
    }
  } else {
    streamFile(reply, b.source.fd, b.start, b.end);
  }
  await over;
}

/** Streams [start, end] of `fd`; the stream closes `fd` when it ends or is destroyed. */
function streamFile(reply: Reply, fd: number, start: number, end: number): void {
  const { res } = reply;
  const rs = createReadStream("", { fd, start, end, highWaterMark: STREAM_CHUNK, autoClose: true });
  rs.on("data", (chunk) => {
    reply.state.bodyBytes += chunk.length;
  });
  rs.on("error", () => res.destroy());
  res.on("close", () => rs.destroy());
  rs.pipe(res);
}
