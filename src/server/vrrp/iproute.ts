/**
 * Virtual addresses and interface facts. Adding and removing go through the
 * addon's rtnetlink call (the same request as `ip addr replace` / `ip addr
 * del`, without a child process in the failover path), idempotently: replace
 * adds or keeps, deleting an absent address is not an error for us. Listing
 * uses `ip -j addr` (startup only); the MAC and link state come from sysfs.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { constants } from "node:os";
import { promisify } from "node:util";
import { OnairError } from "../../util/errors.js";
import { nativeNet } from "./native-net.js";

const run = promisify(execFile);

export interface Ipv4Entry {
  address: string;
  prefixLen: number;
  secondary: boolean;
}

/** IPv4 addresses of `dev` in kernel order (primary first). */
export async function interfaceAddresses(dev: string): Promise<Ipv4Entry[]> {
  const { stdout } = await run("ip", ["-j", "-4", "addr", "show", "dev", dev]);
  const parsed = JSON.parse(stdout || "[]") as {
    addr_info?: { family: string; local: string; prefixlen: number; secondary?: boolean }[];
  }[];
  const out: Ipv4Entry[] = [];
  for (const link of parsed) {
    for (const a of link.addr_info ?? []) {
      if (a.family === "inet")
        out.push({ address: a.local, prefixLen: a.prefixlen, secondary: !!a.secondary });
    }
  }
  return out;
}

export async function interfaceMac(dev: string): Promise<string> {
  return (await readFile(`/sys/class/net/${dev}/address`, "utf8")).trim();
}

/** true when the link has carrier and is up (operstate up or unknown, as for dummy links). */
export async function interfaceRunning(dev: string): Promise<boolean> {
  try {
    const [oper, carrier] = await Promise.all([
      readFile(`/sys/class/net/${dev}/operstate`, "utf8"),
      readFile(`/sys/class/net/${dev}/carrier`, "utf8").catch(() => "0"),
    ]);
    const o = oper.trim();
    return carrier.trim() === "1" && (o === "up" || o === "unknown");
  } catch {
    return false;
  }
}

const EADDRNOTAVAIL = constants.errno.EADDRNOTAVAIL;
const ENODEV = constants.errno.ENODEV;

function errnoName(n: number): string {
  return Object.entries(constants.errno).find(([, v]) => v === n)?.[0] ?? `errno ${n}`;
}

function addressError(op: string, address: string, dev: string, rc: number): OnairError {
  return new OnairError("ONAIR_VRRP_ADDRESS", `cannot ${op} ${address} on ${dev}: ${errnoName(-rc)}`, {
    address,
    interface: dev,
    errno: -rc,
  });
}

/** `ip addr replace ADDRESS/LEN dev DEV`. */
export async function addAddress(address: string, prefixLen: number, dev: string): Promise<void> {
  const rc = nativeNet().addressChange(true, dev, address, prefixLen);
  if (rc < 0) throw addressError("add", address, dev, rc);
}

/** `ip addr del ADDRESS/LEN dev DEV`; returns false when it was not there. */
export async function delAddress(address: string, prefixLen: number, dev: string): Promise<boolean> {
  const rc = nativeNet().addressChange(false, dev, address, prefixLen);
  if (rc === -EADDRNOTAVAIL || rc === -ENODEV) return false;
  if (rc < 0) throw addressError("remove", address, dev, rc);
  return true;
}
