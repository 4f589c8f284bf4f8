/**
 * What the benches read of a server process from /proc (Linux): CPU time
 * (user and system, one process or its whole tree, as nginx runs a master and
 * workers) and resident memory; and the median they print of repeated runs.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second of /proc's CPU times. */
export const CLK_TCK = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

/** /proc/PID/stat after the command name: [1] = ppid, [11] = utime, [12] = stime (proc(5), fields 4, 14, 15). */
function statFields(pid: number | string): string[] {
  const st = readFileSync(`/proc/${pid}/stat`, "utf8");
  return st.slice(st.lastIndexOf(")") + 2).split(" ");
}

/** User and system CPU seconds of one process. */
export function cpuTimes(pid: number): { user: number; system: number } {
  const f = statFields(pid);
  return { user: Number(f[11]) / CLK_TCK, system: Number(f[12]) / CLK_TCK };
}

/**
 * CPU seconds of one process, all its threads, to the nanosecond: the sum of
 * /proc/PID/task/TID/schedstat's first field (time on a CPU). utime/stime
 * count in clock ticks (10 ms): at ~1 % of a core a 10 s window holds only
 * ~10 of them.
 */
export function runSeconds(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      /* thread gone */
    }
  }
  return ns / 1e9;
}

/** User + system CPU seconds of one process. */
export function cpuSeconds(pid: number): number {
  const t = cpuTimes(pid);
  return t.user + t.system;
}

/** User + system CPU seconds of `pid` and all its descendants (nginx: master + worker). */
export function treeCpuSeconds(pid: number): number {
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const e of readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const f = statFields(e);
      stats.set(Number(e), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      /* gone */
    }
  }
  let ticks = 0;
  const todo = [pid];
  while (todo.length) {
    const p = todo.pop()!;
    ticks += stats.get(p)?.ticks ?? 0;
    for (const [child, v] of stats) if (v.ppid === p) todo.push(child);
  }
  return ticks / CLK_TCK;
}

/** Resident set size of a process in KiB (VmRSS), 0 if not reported. */
export function rssKb(pid: number): number {
  return memKb(pid).rss;
}

/**
 * VmRSS and the anonymous part of it (RssAnon: what the process itself
 * allocated, without the pages of its executable and libraries read in
 * from disk, which are shared and which the kernel can drop), in KiB.
 */
export function memKb(pid: number): { rss: number; anon: number } {
  const st = readFileSync(`/proc/${pid}/status`, "utf8");
  return {
    rss: Number(/VmRSS:\s+(\d+)/.exec(st)?.[1] ?? 0),
    anon: Number(/RssAnon:\s+(\d+)/.exec(st)?.[1] ?? 0),
  };
}

/** The middle value (the upper one of an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
