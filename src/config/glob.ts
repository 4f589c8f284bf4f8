/**
 * The small glob nginx and keepalived use for `include` (glob(3) without
 * GLOB_PERIOD): `*`, `?` and `[...]` inside any path segment, hidden entries
 * only when the pattern segment starts with a dot, results sorted.
 */
import { readdirSync, statSync } from "node:fs";
import { isAbsolute, join, sep } from "node:path";

export function hasGlobMagic(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

function segmentRegex(seg: string): RegExp {
  let re = "";
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i];
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = seg.indexOf("]", i + 2);
      if (end < 0) {
        re += "\\[";
        continue;
      }
      let body = seg.slice(i + 1, end);
      if (body.startsWith("!")) body = `^${body.slice(1)}`;
      re += `[${body.replace(/\\/g, "\\\\")}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\\\]]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Absolute pattern → matching paths, sorted; [] when nothing matches. */
export function expandGlob(pattern: string): string[] {
  const abs = isAbsolute(pattern);
  const segs = pattern.split(sep).filter((s) => s !== "");
  let bases = [abs ? sep : "."];
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    const last = i === segs.length - 1;
    const next: string[] = [];
    for (const base of bases) {
      if (!hasGlobMagic(seg)) {
        next.push(join(base, seg));
        continue;
      }
      let re: RegExp;
      try {
        re = segmentRegex(seg);
      } catch {
        continue;
      }
      for (const e of listDir(base).sort()) {
        if (e.startsWith(".") && !seg.startsWith(".")) continue;
        if (re.test(e)) next.push(join(base, e));
      }
    }
    bases = last ? next : next.filter((p) => isDir(p));
  }
  return bases.filter((p) => exists(p)).sort();
}

function isDir(p: string): boolean {
  return statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

function exists(p: string): boolean {
  return statSync(p, { throwIfNoEntry: false }) !== undefined;
}
