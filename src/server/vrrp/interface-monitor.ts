/**
 * Link state for `track_interface` (and the instance's own interface, which
 * keepalived tracks unless `dont_track_primary`). An interface is up as
 * keepalived's IF_FLAGS_UP: administratively up (IFF_UP in
 * /sys/class/net/IF/flags) and running (operstate "up", or "unknown" for
 * links without carrier reporting such as lo). A missing interface is down.
 * Polled (default every 100 ms: two small sysfs reads per interface), so no
 * helper process can outlive the daemon.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

const IFF_UP = 0x1;

export interface InterfaceMonitorOptions {
  pollMs?: number;
  /** For tests: a folder laid out like /sys/class/net. */
  sysClassNet?: string;
}

export interface InterfaceMonitor {
  /** Last known state (after start, every name has one). */
  isUp(name: string): boolean | undefined;
  stop(): Promise<void>;
}

/** Reads one interface's state now. */
export function readLinkUp(name: string, sysClassNet = "/sys/class/net"): boolean {
  if (!/^[^/\0]{1,15}$/.test(name) || name === "." || name === "..") return false;
  try {
    const flags = Number.parseInt(readFileSync(join(sysClassNet, name, "flags"), "utf8").trim(), 16);
    if (!(flags & IFF_UP)) return false;
    const oper = readFileSync(join(sysClassNet, name, "operstate"), "utf8").trim();
    return oper === "up" || oper === "unknown";
  } catch {
    return false;
  }
}

/**
 * Starts watching; `onChange` is called once per interface at start (its
 * initial state, synchronously) and then on every change.
 */
export function startInterfaceMonitor(
  names: readonly string[],
  onChange: (name: string, up: boolean) => void,
  opts: InterfaceMonitorOptions = {},
): InterfaceMonitor {
  const root = opts.sysClassNet ?? "/sys/class/net";
  const state = new Map<string, boolean>();
  const poll = (initial: boolean) => {
    for (const n of names) {
      const up = readLinkUp(n, root);
      if (initial || state.get(n) !== up) {
        state.set(n, up);
        onChange(n, up);
      }
    }
  };
  poll(true);
  const timer = names.length > 0 ? setInterval(() => poll(false), Math.max(10, opts.pollMs ?? 100)) : null;
  timer?.unref();
  return {
    isUp: (n) => state.get(n),
    async stop() {
      if (timer) clearInterval(timer);
    },
  };
}
