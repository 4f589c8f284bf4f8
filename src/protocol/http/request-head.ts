/**
 * The head of one HTTP/1.x request (request line + header fields, RFC 9112
 * §2–§5) parsed from a Buffer, strictly: anything this parser does not fully
 * understand is `unsupported`, never guessed at, so that the caller can hand
 * the bytes to a complete HTTP implementation instead. Bounded: the head may
 * not exceed `maxBytes` nor hold more than MAX_HEADER_FIELDS fields.
 * Pure: no I/O.
 */

export const MAX_HEADER_FIELDS = 100;

export interface RequestHead {
  kind: "ok";
  /** Offset just past the blank line that ends the head. */
  end: number;
  method: string;
  /** The request-target exactly as sent. */
  target: string;
  /** Minor version: 0 for HTTP/1.0, 1 for HTTP/1.1. */
  minor: 0 | 1;
  /** Field values by lowercased name; repeated fields joined with ", " (RFC 9110 §5.3). */
  headers: Record<string, string>;
}

export type HeadVerdict =
  | RequestHead
  /** No blank line yet, and fewer than `maxBytes` bytes so far. */
  | { kind: "incomplete" }
  /** Too large, malformed, or a form this parser leaves to a full implementation. */
  | { kind: "unsupported"; reason: string };

const CRLFCRLF = Buffer.from("\r\n\r\n", "latin1");
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Control characters other than HTAB (RFC 9110 §5.5 field-value). */
const BAD_VALUE = /[\x00-\x08\x0a-\x1f\x7f]/;
/** Fields that may appear only once: a repeat is a request smuggling hazard. */
const SINGLE = new Set(["host", "content-length", "transfer-encoding"]);

function unsupported(reason: string): HeadVerdict {
  return { kind: "unsupported", reason };
}

/** The text of `line` from `from`, without leading and trailing SP/HTAB (OWS). */
function trimOws(line: string, from: number): string {
  let a = from;
  let b = line.length;
  while (a < b && (line.charCodeAt(a) === 0x20 || line.charCodeAt(a) === 0x09)) a++;
  while (b > a && (line.charCodeAt(b - 1) === 0x20 || line.charCodeAt(b - 1) === 0x09)) b--;
  return line.slice(a, b);
}

/** Parses the request line `METHOD SP target SP HTTP/1.x`. */
function requestLine(line: string): { method: string; target: string; minor: 0 | 1 } | string {
  const sp1 = line.indexOf(" ");
  const sp2 = line.lastIndexOf(" ");
  if (sp1 <= 0 || sp2 === sp1) return "bad request line";
  const method = line.slice(0, sp1);
  if (!TOKEN.test(method)) return "bad method";
  const version = line.slice(sp2 + 1);
  if (version !== "HTTP/1.1" && version !== "HTTP/1.0") return "unsupported version";
  const target = line.slice(sp1 + 1, sp2);
  if (target.length === 0) return "empty target";
  for (let i = 0; i < target.length; i++) {
    const c = target.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f) return "bad character in target";
  }
  return { method, target, minor: version === "HTTP/1.1" ? 1 : 0 };
}

/** Parses one request head starting at `start` of `buf`. */
export function parseRequestHead(buf: Buffer, start: number, maxBytes: number): HeadVerdict {
  const stop = buf.indexOf(CRLFCRLF, start);
  if (stop < 0) {
    return buf.length - start >= maxBytes ? unsupported("head too large") : { kind: "incomplete" };
  }
  if (stop + 4 - start > maxBytes) return unsupported("head too large");
  const lines = buf.toString("latin1", start, stop).split("\r\n");
  const first = requestLine(lines[0]!);
  if (typeof first === "string") return unsupported(first);
  if (lines.length - 1 > MAX_HEADER_FIELDS) return unsupported("too many header fields");
  const headers: Record<string, string> = Object.create(null);
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(":");
    if (colon <= 0) return unsupported("header field without a name");
    const name = line.slice(0, colon);
    if (!TOKEN.test(name)) return unsupported("bad header field name"); // also obs-fold, space before ':'
    const value = trimOws(line, colon + 1);
    if (BAD_VALUE.test(value)) return unsupported("control character in header field");
    const key = name.toLowerCase();
    const prev = headers[key];
    if (prev === undefined) headers[key] = value;
    else if (SINGLE.has(key)) return unsupported(`repeated ${key}`);
    else headers[key] = `${prev}, ${value}`;
  }
  return {
    kind: "ok",
    end: stop + 4,
    method: first.method,
    target: first.target,
    minor: first.minor,
    headers,
  };
}
