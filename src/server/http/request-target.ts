/**
 * Parses an HTTP request-target into the normalised, decoded URI path nginx
 * works on (ngx_http_parse_complex_uri): percent-decoding (a decoded `/` is a
 * separator, as in nginx), merged slashes, resolved `.` and `..` segments.
 * A path that climbs above `/`, a NUL byte, a bad escape or bytes that are not
 * UTF-8 (overlong forms such as `%c0%ae` included) make the request invalid
 * (400). Backslashes are separators here (nginx does so on Windows only): a
 * file name with a backslash cannot be served, and `..\` cannot climb.
 * Pure: no I/O.
 */

/** nginx's large_client_header_buffers default (8k) bounds the request line. */
export const MAX_REQUEST_TARGET = 8192;

export type RequestTarget =
  | {
      ok: true;
      /** Decoded, normalised path, always starting with `/`. */
      path: string;
      /** The query string without `?` (raw, undecoded), "" when absent. */
      args: string;
      /** Host taken from an absolute-form target, or null. */
      host: string | null;
    }
  | { ok: false; status: 400 | 414; reason: string };

const utf8 = new TextDecoder("utf-8", { fatal: true });

function fail(status: 400 | 414, reason: string): RequestTarget {
  return { ok: false, status, reason };
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

/** Percent-decodes `raw` into bytes, or returns a reason string. */
function percentDecode(raw: string): Uint8Array | string {
  const out = new Uint8Array(raw.length);
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    let c = raw.charCodeAt(i);
    if (c > 0xff) return "non-byte character in URI";
    if (c === 0x25) {
      const hi = i + 1 < raw.length ? hexValue(raw.charCodeAt(i + 1)) : -1;
      const lo = i + 2 < raw.length ? hexValue(raw.charCodeAt(i + 2)) : -1;
      if (hi < 0 || lo < 0) return "bad percent escape in URI";
      c = (hi << 4) | lo;
      i += 2;
    }
    if (c === 0) return "NUL in URI";
    out[n++] = c;
  }
  return out.subarray(0, n);
}

/** Resolves `.`/`..`, merges slashes; null when the path climbs above `/`. */
export function normalizePath(decoded: string): string | null {
  const parts = decoded.replaceAll("\\", "/").split("/");
  const stack: string[] = [];
  let trailing = false;
  for (let i = 1; i < parts.length; i++) {
    const seg = parts[i]!;
    const last = i === parts.length - 1;
    if (seg === "" || seg === ".") {
      trailing = last;
      continue;
    }
    if (seg === "..") {
      if (stack.length === 0) return null;
      stack.pop();
      trailing = last;
      continue;
    }
    stack.push(seg);
    trailing = false;
  }
  if (stack.length === 0) return "/";
  return `/${stack.join("/")}${trailing ? "/" : ""}`;
}

/** Splits an absolute-form target (`http://host/path`) into host and origin-form. */
function splitAbsolute(target: string): { host: string | null; rest: string } | null {
  const m = /^https?:\/\//i.exec(target);
  if (!m) return { host: null, rest: target };
  const after = target.slice(m[0].length);
  const end = after.search(/[/?#]/);
  const host = end < 0 ? after : after.slice(0, end);
  if (host === "" || /[\s@\\]/.test(host)) return null;
  const rest = end < 0 ? "/" : after.slice(end);
  return { host, rest: rest.startsWith("/") ? rest : `/${rest}` };
}

export function parseRequestTarget(target: string): RequestTarget {
  if (target.length > MAX_REQUEST_TARGET) return fail(414, "request-target too long");
  const abs = splitAbsolute(target);
  if (!abs) return fail(400, "bad absolute-form target");
  let rest = abs.rest;
  if (!rest.startsWith("/")) return fail(400, "request-target is not a path");
  const hash = rest.indexOf("#");
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf("?");
  const rawPath = q >= 0 ? rest.slice(0, q) : rest;
  const args = q >= 0 ? rest.slice(q + 1) : "";
  const bytes = percentDecode(rawPath);
  if (typeof bytes === "string") return fail(400, bytes);
  let decoded: string;
  try {
    decoded = utf8.decode(bytes);
  } catch {
    return fail(400, "URI is not valid UTF-8");
  }
  const path = normalizePath(decoded);
  if (path === null) return fail(400, "URI climbs above the root");
  return { ok: true, path, args, host: abs.host };
}
