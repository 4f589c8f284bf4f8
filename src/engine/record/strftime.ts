/**
 * The subset of C strftime(3) that nginx-rtmp's `record_suffix` passes to
 * libc (ngx_rtmp_record_make_path: strftime over localtime of the file's
 * open time). Local time is the process's (TZ). Unknown conversions are
 * kept as written, as glibc does.
 */

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

function pad(n: number, width = 2, fill = "0"): string {
  return String(n).padStart(width, fill);
}

function dayOfYear(d: Date): number {
  const start = new Date(d.getFullYear(), 0, 1);
  const ms = Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()) - Date.UTC(start.getFullYear(), 0, 1);
  return Math.floor(ms / 86_400_000) + 1;
}

function tzOffset(d: Date): string {
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? "+" : "-";
  const abs = Math.abs(off);
  return `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`;
}

type Conv = (d: Date) => string;

const CONVERSIONS: Record<string, Conv> = {
  a: (d) => DAYS[d.getDay()]!.slice(0, 3),
  A: (d) => DAYS[d.getDay()]!,
  b: (d) => MONTHS[d.getMonth()]!.slice(0, 3),
  h: (d) => MONTHS[d.getMonth()]!.slice(0, 3),
  B: (d) => MONTHS[d.getMonth()]!,
  C: (d) => pad(Math.floor(d.getFullYear() / 100)),
  d: (d) => pad(d.getDate()),
  D: (d) => `${pad(d.getMonth() + 1)}/${pad(d.getDate())}/${pad(d.getFullYear() % 100)}`,
  e: (d) => pad(d.getDate(), 2, " "),
  F: (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`,
  H: (d) => pad(d.getHours()),
  I: (d) => pad(d.getHours() % 12 || 12),
  j: (d) => pad(dayOfYear(d), 3),
  k: (d) => pad(d.getHours(), 2, " "),
  l: (d) => pad(d.getHours() % 12 || 12, 2, " "),
  m: (d) => pad(d.getMonth() + 1),
  M: (d) => pad(d.getMinutes()),
  n: () => "\n",
  p: (d) => (d.getHours() < 12 ? "AM" : "PM"),
  R: (d) => `${pad(d.getHours())}:${pad(d.getMinutes())}`,
  s: (d) => String(Math.floor(d.getTime() / 1000)),
  S: (d) => pad(d.getSeconds()),
  t: () => "\t",
  T: (d) => `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`,
  u: (d) => String(d.getDay() || 7),
  w: (d) => String(d.getDay()),
  y: (d) => pad(d.getFullYear() % 100),
  Y: (d) => String(d.getFullYear()),
  z: (d) => tzOffset(d),
  "%": () => "%",
};

/** Formats `pattern` for the local time of `epochMs`. */
export function strftime(pattern: string, epochMs: number): string {
  const d = new Date(epochMs);
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c !== "%" || i + 1 >= pattern.length) {
      out += c;
      continue;
    }
    const conv = CONVERSIONS[pattern[i + 1]!];
    if (conv) {
      out += conv(d);
      i++;
    } else {
      out += c;
    }
  }
  return out;
}
