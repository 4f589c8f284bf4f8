/**
 * nginx's predefined `combined` log format:
 *   $remote_addr - $remote_user [$time_local] "$request" $status
 *   $body_bytes_sent "$http_referer" "$http_user_agent"
 * Variable values are escaped as nginx's `escape=default` does: `"`, `\`,
 * control bytes and bytes >= 0x7f become `\xHH`; an empty value is `-`.
 */

/** Where access lines go (H2's AccessLog in src/server/log/access-log.ts satisfies it). */
export interface AccessLogSink {
  write(line: string): void;
}

export interface AccessEntry {
  remoteAddr: string;
  remoteUser?: string;
  time: Date;
  /** The request line as received: `GET /x HTTP/1.1`, or "" when none was read. */
  request: string;
  status: number;
  bodyBytesSent: number;
  referer?: string;
  userAgent?: string;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `25/Nov/2026:17:20:27 +0000` in the process's time zone, as nginx's $time_local. */
export function timeLocal(d: Date): string {
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? "+" : "-";
  const abs = Math.abs(off);
  return (
    `${pad2(d.getDate())}/${MONTHS[d.getMonth()]}/${d.getFullYear()}:` +
    `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())} ` +
    `${sign}${pad2(Math.floor(abs / 60))}${pad2(abs % 60)}`
  );
}

export function escapeLogValue(value: string | undefined): string {
  if (value === undefined || value === "") return "-";
  if (!/[\\"\x00-\x1f\x7f-\xff]/.test(value)) return value;
  let out = "";
  for (const byte of Buffer.from(value, "latin1")) {
    if (byte === 0x22 || byte === 0x5c || byte < 0x20 || byte >= 0x7f) {
      out += `\\x${byte.toString(16).toUpperCase().padStart(2, "0")}`;
    } else {
      out += String.fromCharCode(byte);
    }
  }
  return out;
}

export function formatCombined(e: AccessEntry): string {
  const addr = e.remoteAddr.startsWith("::ffff:") ? e.remoteAddr.slice(7) : e.remoteAddr;
  return (
    `${addr || "-"} - ${escapeLogValue(e.remoteUser)} [${timeLocal(e.time)}] ` +
    `"${escapeLogValue(e.request)}" ${e.status} ${e.bodyBytesSent} ` +
    `"${escapeLogValue(e.referer)}" "${escapeLogValue(e.userAgent)}"`
  );
}
