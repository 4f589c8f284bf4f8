/**
 * nginx value syntax: sizes (`4096`, `4k`, `1m`, `1g`), times (`500ms`, `3s`,
 * `1m30s`, `1h`; a bare number is seconds), `on`/`off`, plain numbers and
 * `listen` addresses. Each returns null when the text is not valid, so the
 * caller words the error as nginx does for that directive.
 */
import { isIP } from "node:net";
import type { ListenAddress } from "./types.js";

/** Largest size/time/number accepted (nginx's NGX_MAX_OFF_T_VALUE is far larger; this keeps numbers exact). */
export const MAX_CONFIG_NUMBER = Number.MAX_SAFE_INTEGER;

const SIZE_UNITS: Record<string, number> = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** ngx_parse_size / ngx_parse_offset: digits with an optional k, m or g (any case). */
export function parseSize(text: string): number | null {
  const m = /^(\d+)([kKmMgG]?)$/.exec(text);
  if (!m) return null;
  const v = Number(m[1]) * SIZE_UNITS[m[2].toLowerCase()];
  return Number.isSafeInteger(v) ? v : null;
}

/** Writes a byte count back in the shortest exact nginx form. */
export function formatSize(bytes: number): string {
  for (const [u, f] of [
    ["g", 1024 ** 3],
    ["m", 1024 ** 2],
    ["k", 1024],
  ] as const) {
    if (bytes >= f && bytes % f === 0) return `${bytes / f}${u}`;
  }
  return String(bytes);
}

/** ngx_parse_time units, largest first; a unit must be smaller than the one before it. */
const TIME_UNITS: [string, number][] = [
  ["y", 365 * 24 * 3600_000],
  ["M", 30 * 24 * 3600_000],
  ["w", 7 * 24 * 3600_000],
  ["d", 24 * 3600_000],
  ["h", 3600_000],
  ["m", 60_000],
  ["s", 1000],
  ["ms", 1],
];

/** ngx_parse_time in milliseconds: `1h30m`, `500ms`, `3` (= 3s); spaces between parts allowed. */
export function parseTime(text: string): number | null {
  const re = /(\d+)(ms|y|M|w|d|h|m|s)?\s*/y;
  let total = 0;
  let lastRank = -1;
  let pos = 0;
  const s = text.trim();
  if (s === "") return null;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) return null;
    pos = re.lastIndex;
    const unit = m[2] ?? "s";
    if (m[2] === undefined && pos < s.length) return null;
    const rank = TIME_UNITS.findIndex(([u]) => u === unit);
    if (rank <= lastRank) return null;
    lastRank = rank;
    total += Number(m[1]) * TIME_UNITS[rank][1];
    if (!Number.isSafeInteger(total)) return null;
  }
  return total;
}

/** Writes milliseconds back as an exact nginx time (`1m30s`, `500ms`, `0s`). */
export function formatTime(ms: number): string {
  if (ms === 0) return "0s";
  let rest = ms;
  let out = "";
  for (const [u, f] of TIME_UNITS.slice(3)) {
    if (rest >= f) {
      out += `${Math.floor(rest / f)}${u}`;
      rest %= f;
    }
  }
  return out;
}

export function parseFlag(text: string): boolean | null {
  if (text === "on") return true;
  if (text === "off") return false;
  return null;
}

/** A non-negative decimal integer (ngx_atoi). */
export function parseNumber(text: string): number | null {
  if (!/^\d+$/.test(text)) return null;
  const v = Number(text);
  return Number.isSafeInteger(v) ? v : null;
}

export type ListenParse = { ok: true; value: ListenAddress } | { ok: false; problem: string };

/**
 * `port`, `host:port`, `[v6]:port`, `*:port`, or a host alone (then `defaultPort`).
 * Hosts must be IP literals, `*` or `localhost` (onair resolves no names).
 */
export function parseListen(text: string, defaultPort: number | null): ListenParse {
  const bad = (what: string): ListenParse => ({
    ok: false,
    problem: `${what} in "${text}" of the "listen" directive`,
  });
  let host: string | null = null;
  let portText: string | null = null;
  if (/^\d+$/.test(text)) portText = text;
  else if (text.startsWith("[")) {
    const end = text.indexOf("]");
    if (end < 0) return bad("invalid host");
    host = text.slice(1, end);
    if (isIP(host) !== 6) return bad("invalid IPv6 address");
    const rest = text.slice(end + 1);
    if (rest !== "") {
      if (!rest.startsWith(":")) return bad("invalid port");
      portText = rest.slice(1);
    }
  } else {
    const colon = text.lastIndexOf(":");
    host = colon >= 0 ? text.slice(0, colon) : text;
    if (colon >= 0) portText = text.slice(colon + 1);
    if (host === "*") host = null;
    else if (host !== "localhost" && isIP(host) !== 4) return bad("host not found");
  }
  let port = defaultPort;
  if (portText !== null) {
    const p = parseNumber(portText);
    if (p === null || p < 1 || p > 65535) return bad("invalid port");
    port = p;
  }
  if (port === null) return bad("invalid port");
  return { ok: true, value: { host, port } };
}

/** Writes a listen address back (`1935`, `127.0.0.1:8080`, `[::1]:80`). */
export function formatListen(a: ListenAddress): string {
  if (a.host === null) return String(a.port);
  return a.host.includes(":") ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/** `all`, an IPv4/IPv6 address, or a CIDR (ADDR/LEN with LEN in range). */
export function isAddressOrCidr(text: string): boolean {
  if (text === "all") return true;
  const slash = text.indexOf("/");
  const addr = slash < 0 ? text : text.slice(0, slash);
  const family = isIP(addr);
  if (family === 0) return false;
  if (slash < 0) return true;
  const len = parseNumber(text.slice(slash + 1));
  return len !== null && len <= (family === 4 ? 32 : 128);
}
