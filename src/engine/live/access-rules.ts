/**
 * `allow|deny publish|play ADDRESS|CIDR|all` evaluated as nginx-rtmp's access
 * module does (ngx_rtmp_access_module.c): rules of the asked kind are tried in
 * the order written, the first that matches decides; no match means allowed.
 * Pure: addresses are parsed here, never through `net`.
 */
import type { AccessRule } from "../../config/types.js";

interface Matcher {
  family: 4 | 6;
  /** Address bytes (4 or 16). */
  bytes: Uint8Array;
  prefix: number;
}

/** Parses a dotted IPv4 address into 4 bytes, or null. */
export function parseIpv4(s: string): Uint8Array | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p)) return null;
    const v = Number(p);
    if (v > 255) return null;
    out[i] = v;
  }
  return out;
}

/** Parses an IPv6 address (with `::` and an optional trailing dotted IPv4) into 16 bytes, or null. */
export function parseIpv6(input: string): Uint8Array | null {
  let s = input;
  const zone = s.indexOf("%");
  if (zone >= 0) s = s.slice(0, zone);
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const words = (h: string): number[] | null => {
    if (h === "") return [];
    const out: number[] = [];
    const parts = h.split(":");
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (i === parts.length - 1 && p.includes(".")) {
        const v4 = parseIpv4(p);
        if (!v4) return null;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return null;
        out.push(Number.parseInt(p, 16));
      }
    }
    return out;
  };
  const head = words(halves[0]!);
  const tail = halves.length === 2 ? words(halves[1]!) : [];
  if (!head || !tail) return null;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return null;
  const all = [...head, ...new Array<number>(fill).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

/** An address as a (family, bytes) pair; IPv4-mapped IPv6 becomes IPv4. */
export function parseAddress(s: string): { family: 4 | 6; bytes: Uint8Array } | null {
  const v4 = parseIpv4(s);
  if (v4) return { family: 4, bytes: v4 };
  const v6 = parseIpv6(s);
  if (!v6) return null;
  const mapped = v6.subarray(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff;
  if (mapped) return { family: 4, bytes: v6.slice(12) };
  return { family: 6, bytes: v6 };
}

function parseMatcher(from: string): Matcher | "all" | null {
  if (from === "all") return "all";
  const slash = from.indexOf("/");
  const addr = parseAddress(slash >= 0 ? from.slice(0, slash) : from);
  if (!addr) return null;
  const max = addr.family === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = from.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > max) return null;
    prefix = Number(p);
  }
  return { family: addr.family, bytes: addr.bytes, prefix };
}

function matches(m: Matcher, addr: { family: 4 | 6; bytes: Uint8Array }): boolean {
  if (m.family !== addr.family) return false;
  let bits = m.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((m.bytes[i]! & mask) !== (addr.bytes[i]! & mask)) return false;
  }
  return true;
}

/** Compiled access rules of one application. */
export class AccessList {
  readonly #rules: { allow: boolean; what: "publish" | "play"; m: Matcher | "all" }[] = [];

  constructor(rules: readonly AccessRule[]) {
    for (const r of rules) {
      const m = parseMatcher(r.from);
      // The config loader validates addresses; an unparsable one never matches.
      if (m) this.#rules.push({ allow: r.action === "allow", what: r.what, m });
    }
  }

  /** True when `address` (as a socket reports it) may do `what`. */
  allows(what: "publish" | "play", address: string): boolean {
    const addr = parseAddress(address);
    for (const r of this.#rules) {
      if (r.what !== what) continue;
      if (r.m === "all" || (addr && matches(r.m, addr))) return r.allow;
    }
    return true;
  }
}

const lists = new WeakMap<readonly AccessRule[], AccessList>();

/** The AccessList of an application's rules, parsed once per config (not once per connection). */
export function accessListOf(rules: readonly AccessRule[]): AccessList {
  let l = lists.get(rules);
  if (!l) {
    l = new AccessList(rules);
    lists.set(rules, l);
  }
  return l;
}
